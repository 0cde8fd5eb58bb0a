// A message struct has its method's visibility: a private method's message
// is private to its module.
mod bank {
    use tractor::prelude::*;

    #[derive(Actor, Default)]
    pub struct Vault {
        gold: u32,
    }

    #[actor]
    impl Vault {
        #[message]
        pub fn count(&self) -> u32 {
            self.gold
        }

        #[message]
        fn audit(&self) -> bool {
            true
        }
    }
}

fn main() {
    let _ = bank::Count;
    let _ = bank::Audit;
}
