#[tractor::main]
async fn main(name: String) {
    println!("{name}");
}
