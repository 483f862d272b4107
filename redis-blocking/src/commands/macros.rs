//! The one macro behind the typed commands: each command is written once
//! and becomes a method on connections (returning the converted reply) and
//! on pipelines (queuing the command).

/// Declares a trait of typed commands and the matching `Pipeline` methods.
///
/// Each entry is `fn name<G: ToArg, ...>(arg: Type, ...) -> <Cmd expression>;`
/// where the generic bounds name [`ToArg`](crate::ToArg) or
/// [`ToArgs`](crate::ToArgs) without their lifetime.
macro_rules! commands {
    (
        $(#[$trait_attr:meta])*
        pub trait $trait:ident;
        $(
            $(#[$attr:meta])*
            fn $name:ident $(<$($g:ident: $bound:ident),+>)? ($($arg:ident: $ty:ty),* $(,)?) -> $cmd:expr;
        )*
    ) => {
        $(#[$trait_attr])*
        ///
        /// Implemented for everything that runs commands ([`Runner`](crate::commands::Runner)).
        /// The reply type `RV` is chosen by the caller, as any
        /// [`FromReply`](crate::FromReply) type.
        pub trait $trait: $crate::commands::Runner {
            $(
                $(#[$attr])*
                #[allow(clippy::extra_unused_lifetimes)]
                fn $name<'a, $($($g: $crate::$bound<'a>,)+)? RV: $crate::FromReply>(&mut self, $($arg: $ty),*) -> $crate::Result<RV> {
                    self.run_cmd(&$cmd)
                }
            )*
        }

        impl<R: $crate::commands::Runner + ?Sized> $trait for R {}

        impl<'a> $crate::Pipeline<'a> {
            $(
                $(#[$attr])*
                pub fn $name$(<$($g: $crate::$bound<'a>),+>)?(&mut self, $($arg: $ty),*) -> &mut Self {
                    self.add($cmd)
                }
            )*
        }
    };
}
