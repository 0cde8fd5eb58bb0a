use tractor::Runtime;

#[tractor::main(crash_polcy = ())]
async fn main(runtime: Runtime) {
    let _ = runtime;
}
