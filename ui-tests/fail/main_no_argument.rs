#[tractor::main(crash_polcy = ())]
async fn main() {}
