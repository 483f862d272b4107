//! The one macro behind the typed commands: each command is written once
//! and becomes a method of every [`Handle`](crate::commands::Handle)
//! (returning the converted reply), a method of
//! [`Pipeline`](crate::Pipeline) (queuing the command), and an entry of the
//! coverage registry ([`coverage`](crate::commands::coverage)).

/// Declares a trait of typed commands, the matching `Pipeline` methods and
/// the registry of the commands they send.
///
/// ```text
/// commands! {
///     /// docs
///     pub trait StringCommands: Handle as STRINGS;
///
///     /// `GET key`: the reply type is the caller's choice (`RV`).
///     fn get<K: ToArg<'a>>(key: K) => Cmd::new("GET").arg(key);
///     /// `OBJECT ENCODING key`: a fixed reply type.
///     fn object_encoding<K: ToArg<'a>>(key: K): Option<String> => Cmd::new("OBJECT").arg("ENCODING").arg(key);
///     /// A fixed shape whose elements the caller chooses.
///     fn lmpop<K: ToArgs<'a>>(keys: K, from: Direction, count: usize): Option<Popped<RV>> where RV => Cmd::new("LMPOP")...;
/// }
/// ```
///
/// The command is always `Cmd::new("NAME")` followed by method calls, so
/// that the registry can name the command (and its subcommand, when the
/// first argument is a literal) each method sends.
macro_rules! commands {
    (
        $(#[$trait_attr:meta])*
        pub trait $trait:ident: $base:ident as $registry:ident;
        $(
            $(#[$attr:meta])*
            fn $name:ident $(<$($g:ident: $bound:path),+>)? ($($arg:ident: $ty:ty),* $(,)?) $(: $ret:ty $(where $rv:ident)?)?
                => Cmd::new($cname:literal) $(.$m:ident($($a:expr),*))*;
        )*
    ) => {
        $(#[$trait_attr])*
        ///
        /// Implemented for every [`Handle`](crate::commands::Handle): a
        /// shared client by `&self`, a connection by `&mut self`, and
        /// [`with_timeout`](crate::commands::Handle::with_timeout) handles.
        /// Where a method's reply type is `RV`, the caller chooses it, as any
        /// [`FromReply`](crate::FromReply) type.
        pub trait $trait: $crate::commands::$base + Sized {
            $(
                commands!(@method
                    [$(#[$attr])*] $name [$($($g: $bound),+)?] [$($arg: $ty),*] [$($ret)?] [$($($rv)?)?]
                    { Cmd::new($cname) $(.$m($($a),*))* }
                );
            )*
        }

        impl<H: $crate::commands::$base> $trait for H {}

        impl<'a> $crate::Pipeline<'a> {
            $(
                $(#[$attr])*
                #[allow(clippy::too_many_arguments)]
                pub fn $name$(<$($g: $bound),+>)?(&mut self, $($arg: $ty),*) -> &mut Self {
                    self.add(Cmd::new($cname) $(.$m($($a),*))*)
                }
            )*
        }

        /// The commands this group's methods send, for the coverage
        /// registry.
        pub(crate) const $registry: &[$crate::commands::coverage::Typed] = &[
            $(
                $crate::commands::coverage::Typed {
                    group: stringify!($trait),
                    method: stringify!($name),
                    command: $cname,
                    first_arg: commands!(@first $(.$m($($a),*))*),
                },
            )*
        ];
    };

    // A method whose reply type the caller chooses.
    (@method [$($attr:tt)*] $name:ident [$($g:ident: $bound:path),*] [$($arg:ident: $ty:ty),*] [] [] { $cmd:expr }) => {
        $($attr)*
        #[allow(clippy::extra_unused_lifetimes, clippy::too_many_arguments)]
        fn $name<'a, $($g: $bound,)* RV: $crate::FromReply>(mut self, $($arg: $ty),*) -> $crate::Result<RV> {
            $crate::commands::Handle::execute(&mut self, &$cmd)
        }
    };

    // A method with a fixed reply type.
    (@method [$($attr:tt)*] $name:ident [$($g:ident: $bound:path),*] [$($arg:ident: $ty:ty),*] [$ret:ty] [] { $cmd:expr }) => {
        $($attr)*
        #[allow(clippy::extra_unused_lifetimes, clippy::too_many_arguments)]
        fn $name<'a, $($g: $bound),*>(mut self, $($arg: $ty),*) -> $crate::Result<$ret> {
            $crate::commands::Handle::execute(&mut self, &$cmd)
        }
    };

    // A method with a fixed reply shape whose elements the caller chooses
    // (`Option<Popped<RV>> where RV`).
    (@method [$($attr:tt)*] $name:ident [$($g:ident: $bound:path),*] [$($arg:ident: $ty:ty),*] [$ret:ty] [$rv:ident] { $cmd:expr }) => {
        $($attr)*
        #[allow(clippy::extra_unused_lifetimes, clippy::too_many_arguments)]
        fn $name<'a, $($g: $bound,)* $rv: $crate::FromReply>(mut self, $($arg: $ty),*) -> $crate::Result<$ret> {
            $crate::commands::Handle::execute(&mut self, &$cmd)
        }
    };

    // The source text of the first method call's arguments: the
    // subcommand when it is a string literal.
    (@first .$m:ident($($a:expr),*) $($rest:tt)*) => { stringify!($($a),*) };
    (@first) => { "" };
}
