//! Procedural macros for [tractor](https://docs.rs/tractor): use them through
//! `tractor` (`use tractor::prelude::*;`), not from this crate directly.
//!
//! - [`#[derive(Actor)]`](derive@Actor) — the empty `Actor` impl, every hook
//!   at its default.
//! - [`#[actor]`](macro@actor) with [`#[message]`](macro@message) — turns an
//!   `impl` block's methods into message types, their `Message` impls, typed
//!   methods on `ActorRef`, and one dispatch enum for the block.
//! - [`#[tractor::main]`](macro@main) — the entry point: builds tokio and a
//!   `Runtime`, and shuts the runtime down when `main` returns.
//!
//! ```
//! use tractor::prelude::*;
//!
//! #[derive(Actor, Default)]
//! struct Counter {
//!     count: i64,
//! }
//!
//! #[actor]
//! impl Counter {
//!     /// Generates `pub struct Increment { pub by: i64 }` with `Reply = ()`.
//!     #[message]
//!     pub fn increment(&mut self, by: i64) {
//!         self.count += by;
//!     }
//!
//!     #[message(reply = i64)]
//!     pub fn get(&self) -> i64 {
//!         self.count
//!     }
//! }
//!
//! #[tractor::main]
//! async fn main(runtime: Runtime) -> Result<(), tractor::Error> {
//!     let counter = runtime.spawn(Counter::default());
//!     counter.increment(3).tell().await?;      // CounterRefExt::increment
//!     runtime.tell(&counter, Increment { by: 1 }).await?;
//!     assert_eq!(counter.get().await?, 4);     // awaiting a request asks
//!     Ok(())
//! }
//! ```

mod actor;
mod derive;
mod errors;
mod main_fn;
mod names;
mod options;
mod types;

use proc_macro::TokenStream;

/// Implements `tractor::Actor` with every hook at its default.
///
/// Works on structs, enums and unions, with generics and `where` clauses; the
/// impl has exactly the type's own bounds, so a generic actor states the
/// `Send + 'static` its fields need:
///
/// ```
/// use tractor::prelude::*;
///
/// #[derive(Actor)]
/// struct Stack<T: Send + 'static> {
///     items: Vec<T>,
/// }
/// ```
///
/// To override a hook (`on_start`, `on_stop`, `on_panic`, `step`), write
/// `impl Actor for Stack<T>` by hand instead.
#[proc_macro_derive(Actor)]
pub fn derive_actor(input: TokenStream) -> TokenStream {
    derive::expand(input.into()).into()
}

/// Turns the `#[message]` methods of an actor's `impl` block into messages.
///
/// For each `#[message]` method, `#[actor]` generates:
///
/// - **a message struct** named after the method in UpperCamelCase
///   (`add_from` → `AddFrom`), with the method's visibility and doc comments,
///   one `pub` field per argument after `self` (and after the optional
///   `ctx: &mut Context<Self>`), or a unit struct when there are none. It
///   carries only the impl block's generic parameters its fields use
///   (`impl<T> Stack<T>`: `Push<T>`, but `Pop`).
/// - **its `Message<Actor>` impl**, whose `Reply` is the method's return type
///   (`()` if none), calling the method. Sync methods are answered without
///   allocating a future.
/// - **a method of the same name on `ActorRef<Actor>`**, in the generated
///   extension trait `<Actor>RefExt` (`CounterRefExt`), taking the same
///   arguments and returning the same `Request` as `ActorRef::ask`: `.await`
///   it to ask, or call `.tell()`, `.try_tell()`, `.try_ask()`,
///   `.timeout(d)`. A glob import of the actor's module brings it into scope.
///
/// and, once per block:
///
/// - **`<Actor>Message`**, an enum with one variant per message (named like
///   the struct), `From` impls, and its own `Message<Actor>` impl, for code
///   that holds "any message of this actor" in one type;
/// - **`<Actor>Reply`**, its reply: the variant of the same name holds that
///   message's reply (`CounterReply::Get(i64)`).
///
/// The block items get the widest visibility of the messages; there is one
/// `#[actor]` block per actor and module. Methods without `#[message]` are
/// left as written; `#[cfg(..)]` on a message method applies to everything
/// generated from it.
///
/// # `#[message]` methods
///
/// A message method takes `&self` or `&mut self`, optionally `ctx: &mut
/// Context<Self>` right after it, then any number of named, owned
/// arguments. It may be `async`. It may not have generic parameters of its
/// own (put them on the `impl` block).
///
/// An `async` method that takes `&self` holds `&Actor` across its awaits, so
/// its future is `Send` only if the actor is `Sync`; take `&mut self` when
/// it is not.
///
/// Options, all optional, in one `#[message(..)]`:
///
/// - `reply = Type` — the `Reply` type, written out; the method must return
///   exactly it (or `Forward<Type>`), else the compiler reports the mismatch
///   at the return type.
/// - `name = Ident` — the struct's (and variant's) name, when the default
///   would collide (two actors with a `get` in one module, or a type of your
///   own named `Get`). rustc reports such a collision itself, as
///   `error[E0428]: the name `Get` is defined multiple times` at the method;
///   a macro cannot add to that text, so: the fix is `#[message(name = ..)]`.
/// - `derive(Trait, ..)` — derives for the struct, such as `derive(Debug,
///   Clone)`.
/// - `remote` — the message can be sent to the actor on another node
///   (`tractor-remote`): see below. `id = N` pins its wire id.
///
/// # Remote messages
///
/// `#[actor(remote)]` makes every message of the block remote; `#[message(remote)]`
/// one of them. A remote message's struct derives serde's `Serialize` and
/// `Deserialize` (its fields and its reply must be serde types), and gets an
/// `impl tractor_remote::Remote<Actor>`: its wire id (`id = N`, else FNV-1a
/// of `"Actor::Message"`, so it survives module moves and rebuilds) and its
/// shape (fields and reply as written, `Increment{by:i64}->()`), which nodes
/// compare before they exchange it. The block then also gets `impl
/// tractor_remote::RemoteActor` listing its remote messages. The generated
/// ref methods exist on `tractor_remote::RemoteRef<Actor>` for the remote
/// messages only; the crate using this needs `tractor-remote` as a dependency.
///
/// # Forwarding
///
/// A method returning `Forward<R>` (what `ctx.forward(&other, msg)` returns)
/// hands its reply duty to another actor: the message's `Reply` is `R`, the
/// asker gets the other actor's reply, and this actor is free at once. (Sent
/// inside the dispatch enum, a forwarding message instead waits for the
/// target's reply before the actor moves on.)
///
/// ```
/// use tractor::prelude::*;
///
/// #[derive(Actor, Default)]
/// struct Backend { value: i64 }
///
/// #[actor]
/// impl Backend {
///     #[message]
///     pub fn value(&self) -> i64 { self.value }
/// }
///
/// #[derive(Actor)]
/// struct Front { backend: ActorRef<Backend> }
///
/// #[actor]
/// impl Front {
///     #[message(reply = i64)]
///     pub fn lookup(&mut self, ctx: &mut Context<Self>) -> Forward<i64> {
///         ctx.forward(&self.backend, Value)
///     }
/// }
/// ```
///
/// # Generic actors
///
/// ```
/// use tractor::prelude::*;
///
/// #[derive(Actor)]
/// struct Stack<T: Send + 'static> { items: Vec<T> }
///
/// #[actor]
/// impl<T: Send + Clone + 'static> Stack<T> {
///     #[message]
///     pub fn push(&mut self, item: T) { self.items.push(item) }
///
///     #[message]
///     pub fn pop(&mut self) -> Option<T> { self.items.pop() }
/// }
///
/// // Generated: `Push<T>`, `Pop`, `StackMessage<T>`, `StackReply<T>`, `StackRefExt<T>`.
/// async fn use_it(stack: ActorRef<Stack<String>>) -> Result<Option<String>, tractor::Error> {
///     stack.push("a".to_string()).tell().await?;
///     stack.pop().await
/// }
/// ```
#[proc_macro_attribute]
pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    actor::expand(args.into(), input.into()).into()
}

/// Marks a method of an [`#[actor]`](macro@actor) block as a message handler.
///
/// `#[message]` is read and removed by `#[actor]`; see there for what it
/// generates and its options (`reply = Type`, `name = Ident`,
/// `derive(Trait, ..)`). Used anywhere else it is a compile error that says
/// to put `#[actor]` on the `impl` block.
#[proc_macro_attribute]
pub fn message(args: TokenStream, input: TokenStream) -> TokenStream {
    let _ = args;
    let input = proc_macro2::TokenStream::from(input);
    let error = syn::Error::new(
        proc_macro2::Span::call_site(),
        "`#[message]` only works on a method inside an `#[actor]` block: put `#[actor]` on the \
         `impl` block that holds this method",
    );
    errors::with_item(input, error).into()
}

/// The program's entry point: builds a multi-threaded tokio runtime and a
/// `tractor::Runtime`, runs the function with it, and shuts the `Runtime`
/// down when the function returns (with a value, an error, or a panic).
///
/// The function must be `async` and take the runtime as its one argument. It
/// may return `()` or anything `main` can return, such as a `Result`:
///
/// ```
/// use tractor::prelude::*;
///
/// #[tractor::main]
/// async fn main(runtime: Runtime) -> Result<(), tractor::Error> {
///     assert_eq!(runtime.actor_count(), 0);
///     Ok(())
/// }
/// ```
///
/// `#[tractor::main(crash_policy = Policy)]` builds the runtime with
/// `Runtime::builder().crash_policy(Policy).build()`.
#[proc_macro_attribute]
pub fn main(args: TokenStream, input: TokenStream) -> TokenStream {
    main_fn::expand(args.into(), input.into()).into()
}
