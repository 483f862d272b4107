//! redis-cli-rs: a drop-in redis-cli.

fn main() {
    let code = redis_cli_rs::run(std::env::args_os().skip(1));
    std::process::exit(code);
}
