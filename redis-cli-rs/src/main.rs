//! redis-cli-rs: a drop-in redis-cli.

fn main() {
    eprintln!("redis-cli-rs: not implemented yet");
    std::process::exit(1);
}
