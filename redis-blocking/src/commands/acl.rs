//! Access control lists.

use crate::{Cmd, ToArg, ToArgs};

commands! {
    /// `ACL` commands: users, their rules, the log.
    pub trait AclCommands: Handle as ACL;

    /// `ACL CAT`: the command categories.
    fn acl_cat(): Vec<String> => Cmd::new("ACL").arg("CAT");
    /// `ACL CAT category`: the commands of a category.
    fn acl_cat_commands<C: ToArg<'a>>(category: C): Vec<String> => Cmd::new("ACL").arg("CAT").arg(category);
    /// `ACL DELUSER username...`: how many were deleted.
    fn acl_deluser<U: ToArgs<'a>>(usernames: U): u64 => Cmd::new("ACL").arg("DELUSER").arg(usernames);
    /// `ACL DRYRUN username command arg...`: `OK`, or why the user may not
    /// run it.
    fn acl_dryrun<U: ToArg<'a>, A: ToArgs<'a>>(username: U, argv: A): String => Cmd::new("ACL").arg("DRYRUN").arg(username).arg(argv);
    /// `ACL GENPASS`: a random 256-bit password, in hex.
    fn acl_genpass(): String => Cmd::new("ACL").arg("GENPASS");
    /// `ACL GENPASS bits`.
    fn acl_genpass_bits(bits: u32): String => Cmd::new("ACL").arg("GENPASS").arg(bits);
    /// `ACL GETUSER username`: the user's rules (a map), nil if unknown.
    fn acl_getuser<U: ToArg<'a>>(username: U) => Cmd::new("ACL").arg("GETUSER").arg(username);
    /// `ACL LIST`: every user, as `ACL SETUSER` rules.
    fn acl_list(): Vec<String> => Cmd::new("ACL").arg("LIST");
    /// `ACL LOAD`: reloads the users from the ACL file.
    fn acl_load() => Cmd::new("ACL").arg("LOAD");
    /// `ACL SAVE`: writes the users to the ACL file.
    fn acl_save() => Cmd::new("ACL").arg("SAVE");
    /// `ACL LOG [count]`: recent denials, newest first (maps).
    fn acl_log(count: Option<u64>) => Cmd::new("ACL").arg("LOG").arg(count);
    /// `ACL LOG RESET`.
    fn acl_log_reset() => Cmd::new("ACL").arg("LOG").arg("RESET");
    /// `ACL SETUSER username rule...`: creates or changes a user
    /// (`["on", ">secret", "~app:*", "+@read"]`).
    fn acl_setuser<U: ToArg<'a>, R: ToArgs<'a>>(username: U, rules: R) => Cmd::new("ACL").arg("SETUSER").arg(username).arg(rules);
    /// `ACL USERS`: the user names.
    fn acl_users(): Vec<String> => Cmd::new("ACL").arg("USERS");
    /// `ACL WHOAMI`: this connection's user.
    fn acl_whoami(): String => Cmd::new("ACL").arg("WHOAMI");
}
