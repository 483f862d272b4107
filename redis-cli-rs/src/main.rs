//! redis-cli-rs: a drop-in redis-cli. Work in progress.

fn main() {
    eprintln!("redis-cli-rs: not implemented yet");
    std::process::exit(1);
}
