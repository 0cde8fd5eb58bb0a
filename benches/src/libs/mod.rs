//! One module per library, each implementing [`Lib`] for the same counter,
//! and the dispatch from a library's name to its runtime.

mod actix_lib;
mod flume_floor;
mod kameo_lib;
mod ractor_lib;
mod tokio_floor;
mod tractor_broadcast;
mod tractor_gen;
mod tractor_hand;
mod xtra_lib;

use std::future::Future;

use crate::harness::{self, Lib, Sample};
use crate::{Flavor, Sizes, Workload};

/// A library (or floor) in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LibId {
    /// tractor as users write it: `#[actor]`, generated methods (`counter.get().await`).
    Tractor,
    /// `#[actor]` messages sent with `counter.ask(Get)` / `counter.tell(Increment)`.
    TractorAsk,
    /// tractor, hand-written `impl Message` with `async fn handle`, `ActorRef::ask`/`tell`.
    TractorHand,
    /// tractor's generated methods on a supervised counter (`runtime.supervise`).
    TractorSupervised,
    /// kameo 0.22.
    Kameo,
    /// ractor 0.16.
    Ractor,
    /// xtra 0.6.
    Xtra,
    /// actix 0.13.
    Actix,
    /// A tokio task on tokio mpsc + oneshot.
    TokioFloor,
    /// A tokio task on flume + oneshot.
    FlumeFloor,
    /// tractor, `broadcast` only: a hand-written loop of `Sender::tell`.
    TractorSender,
    /// tractor, `broadcast` only: the same loop, yielding once per round.
    TractorSenderYield,
    /// tractor, `broadcast` only: `PubSub::publish`, subscribers on `Delivery::Wait`.
    TractorPubSub,
    /// tractor, `broadcast` only: `PubSub::publish`, subscribers on `Delivery::Latest`.
    TractorPubSubLatest,
}

impl LibId {
    pub(crate) const ALL: [LibId; 14] = [
        LibId::Tractor,
        LibId::TractorAsk,
        LibId::TractorHand,
        LibId::TractorSupervised,
        LibId::Kameo,
        LibId::Ractor,
        LibId::Xtra,
        LibId::Actix,
        LibId::TokioFloor,
        LibId::FlumeFloor,
        LibId::TractorSender,
        LibId::TractorSenderYield,
        LibId::TractorPubSub,
        LibId::TractorPubSubLatest,
    ];

    pub(crate) fn key(self) -> &'static str {
        match self {
            LibId::Tractor => "tractor",
            LibId::TractorAsk => "tractor-ask",
            LibId::TractorHand => "tractor-hand",
            LibId::TractorSupervised => "tractor-supervised",
            LibId::Kameo => "kameo",
            LibId::Ractor => "ractor",
            LibId::Xtra => "xtra",
            LibId::Actix => "actix",
            LibId::TokioFloor => "tokio-floor",
            LibId::FlumeFloor => "flume-floor",
            LibId::TractorSender => "tractor-sender",
            LibId::TractorSenderYield => "tractor-sender-yield",
            LibId::TractorPubSub => "tractor-pubsub",
            LibId::TractorPubSubLatest => "tractor-pubsub-latest",
        }
    }

    /// The name shown in the table.
    pub(crate) fn label(self) -> &'static str {
        match self {
            LibId::Tractor => "tractor: `counter.get().await`",
            LibId::TractorAsk => "tractor: `counter.ask(Get).await`",
            LibId::TractorHand => "tractor: hand-written `async fn handle`",
            LibId::TractorSupervised => "tractor: supervised, `counter.get().await`",
            LibId::Kameo => "kameo 0.22",
            LibId::Ractor => "ractor 0.16",
            LibId::Xtra => "xtra 0.6",
            LibId::Actix => "actix 0.13",
            LibId::TokioFloor => "floor: tokio mpsc + oneshot",
            LibId::FlumeFloor => "floor: flume + oneshot",
            LibId::TractorSender => "tractor: hand-written `Sender::tell` loop",
            LibId::TractorSenderYield => "tractor: the same loop, `yield_now` once per round",
            LibId::TractorPubSub => "tractor: `PubSub::publish`, `Delivery::Wait`",
            LibId::TractorPubSubLatest => "tractor: `PubSub::publish`, `Delivery::Latest`",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.key() == s)
    }

    /// A peer: one of the libraries tractor must beat.
    pub(crate) fn is_peer(self) -> bool {
        matches!(self, LibId::Kameo | LibId::Ractor | LibId::Xtra | LibId::Actix)
    }

    /// Whether this library has a row for `workload` at all: `broadcast` is a
    /// tractor workload (`PubSub` next to the loop it replaces), run by the
    /// four broadcast rows only, which run nothing else.
    pub(crate) fn runs(self, workload: Workload) -> bool {
        let broadcast_row = matches!(
            self,
            LibId::TractorSender | LibId::TractorSenderYield | LibId::TractorPubSub | LibId::TractorPubSubLatest
        );
        broadcast_row == (workload == Workload::Broadcast)
    }

    /// Why this library has no row on `flavor`, if it has none.
    pub(crate) fn not_applicable(self, flavor: Flavor) -> Option<&'static str> {
        match (self, flavor) {
            (LibId::Actix, Flavor::Multi) => Some(
                "n/a: actix actors are !Send and run on actix-rt's single-threaded System/Arbiter, not on a tokio multi-thread runtime",
            ),
            _ => None,
        }
    }
}

/// Runs `workload` once for `lib` on a fresh runtime of `flavor`.
pub(crate) fn run(lib: LibId, workload: Workload, flavor: Flavor, sizes: Sizes) -> Sample {
    assert!(lib.runs(workload), "{} has no `{}` row", lib.key(), workload.key());
    let broadcast = |way| on_flavor(flavor, tractor_broadcast::run(way, sizes.fanout_actors, sizes.fanout_rounds));
    match lib {
        LibId::TractorSender => broadcast(tractor_broadcast::Way::SenderLoop),
        LibId::TractorSenderYield => broadcast(tractor_broadcast::Way::SenderLoopYielding),
        LibId::TractorPubSub => broadcast(tractor_broadcast::Way::PubSub),
        LibId::TractorPubSubLatest => broadcast(tractor_broadcast::Way::PubSubLatest),
        LibId::Tractor => on_tokio::<tractor_gen::TractorGen>(workload, flavor, sizes),
        LibId::TractorAsk => on_tokio::<tractor_gen::TractorAsk>(workload, flavor, sizes),
        LibId::TractorHand => on_tokio::<tractor_hand::TractorHand>(workload, flavor, sizes),
        LibId::TractorSupervised => on_tokio::<tractor_gen::TractorSupervised>(workload, flavor, sizes),
        LibId::Kameo => on_tokio::<kameo_lib::Kameo>(workload, flavor, sizes),
        LibId::Ractor => on_tokio::<ractor_lib::Ractor>(workload, flavor, sizes),
        LibId::Xtra => on_tokio::<xtra_lib::Xtra>(workload, flavor, sizes),
        LibId::Actix => {
            assert_eq!(flavor, Flavor::Current, "actix runs on its own single-threaded System");
            on_actix(workload, sizes)
        }
        LibId::TokioFloor => on_tokio::<tokio_floor::TokioFloor>(workload, flavor, sizes),
        LibId::FlumeFloor => on_tokio::<flume_floor::FlumeFloor>(workload, flavor, sizes),
    }
}

/// A fresh tokio runtime; the calling loop runs in a spawned task.
fn on_tokio<L: Lib>(workload: Workload, flavor: Flavor, sizes: Sizes) -> Sample {
    on_flavor(flavor, harness::run::<L>(workload, sizes))
}

/// Runs `work` in a task spawned on a fresh tokio runtime of `flavor`.
fn on_flavor(flavor: Flavor, work: impl Future<Output = Sample> + Send + 'static) -> Sample {
    let runtime = match flavor {
        Flavor::Current => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        Flavor::Multi => tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build(),
    }
    .expect("tokio runtime");
    runtime.block_on(async { tokio::spawn(work).await.expect("workload panicked") })
}

/// A fresh actix `System`; the calling loop runs in a task spawned on it.
fn on_actix(workload: Workload, sizes: Sizes) -> Sample {
    actix_rt::System::new().block_on(async {
        actix_rt::spawn(harness::run::<actix_lib::Actix>(workload, sizes)).await.expect("workload panicked")
    })
}
