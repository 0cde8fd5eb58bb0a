#[tractor::main]
async fn main() {}
