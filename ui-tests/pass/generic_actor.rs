// A generic actor: message structs carry only the impl generics they use.
use tractor::prelude::*;

#[derive(Actor)]
struct Stack<T: Send + 'static> {
    items: Vec<T>,
}

#[actor]
impl<T: Send + Clone + 'static> Stack<T> {
    /// Pushes an item.
    #[message]
    pub fn push(&mut self, item: T) {
        self.items.push(item);
    }

    #[message]
    pub fn pop(&mut self) -> Option<T> {
        self.items.pop()
    }

    #[message]
    pub fn peek(&self) -> Option<T> {
        self.items.last().cloned()
    }

    // Async handlers take `&mut self`: a future holding `&Stack<T>` would
    // need `Stack<T>: Sync` to be `Send`.
    #[message(reply = usize)]
    pub async fn len(&mut self) -> usize {
        self.items.len()
    }

    /// A method without `#[message]` stays an ordinary method.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

// `Pop` uses no generic parameter, so it is a plain unit struct.
fn _pop_is_not_generic() -> Pop {
    Pop
}

#[derive(Actor)]
struct Pair<A, B>
where
    A: Send + 'static,
    B: Send + 'static,
{
    left: A,
    right: B,
}

#[actor]
impl<A, B> Pair<A, B>
where
    A: Send + Clone + 'static,
    B: Send + Clone + 'static,
{
    #[message]
    pub fn set_left(&mut self, left: A) {
        self.left = left;
    }

    #[message]
    pub fn right(&self) -> B {
        self.right.clone()
    }
}

#[tokio::main]
async fn main() -> Result<(), tractor::Error> {
    let runtime = Runtime::new();
    let stack = runtime.spawn(Stack { items: Vec::<String>::new() });
    stack.push("a".to_string()).tell().await?;
    stack.tell(Push { item: "b".to_string() }).await?;
    assert_eq!(stack.len().await?, 2);
    assert_eq!(stack.peek().await?, Some("b".to_string()));
    assert_eq!(stack.pop().await?, Some("b".to_string()));
    assert_eq!(runtime.ask(&stack, Pop).await?, Some("a".to_string()));
    assert_eq!(stack.pop().await?, None);

    let reply = stack.ask(StackMessage::from(Push { item: "c".to_string() })).await?;
    assert!(matches!(reply, StackReply::Push(())));
    let reply: StackReply<String> = stack.ask(StackMessage::Len(Len)).await?;
    assert!(matches!(reply, StackReply::Len(1)));

    let pair = runtime.spawn(Pair { left: 1u8, right: 'x' });
    pair.set_left(2).await?;
    assert_eq!(pair.right().await?, 'x');
    let _: SetLeft<u8> = SetLeft { left: 3 };
    let _: Right = Right;

    runtime.shutdown().await;
    Ok(())
}
