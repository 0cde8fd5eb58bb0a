//! One module per library, each implementing [`Lib`] for the same counter,
//! and the dispatch from a library's name to its runtime.

mod actix_lib;
mod flume_floor;
mod kameo_lib;
mod ractor_lib;
mod tokio_floor;
mod tractor_gen;
mod tractor_hand;
mod xtra_lib;

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
}

impl LibId {
    pub(crate) const ALL: [LibId; 10] = [
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
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.key() == s)
    }

    /// A peer: one of the libraries tractor must beat.
    pub(crate) fn is_peer(self) -> bool {
        matches!(self, LibId::Kameo | LibId::Ractor | LibId::Xtra | LibId::Actix)
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
    match lib {
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
    let runtime = match flavor {
        Flavor::Current => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        Flavor::Multi => tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build(),
    }
    .expect("tokio runtime");
    runtime.block_on(async { tokio::spawn(harness::run::<L>(workload, sizes)).await.expect("workload panicked") })
}

/// A fresh actix `System`; the calling loop runs in a task spawned on it.
fn on_actix(workload: Workload, sizes: Sizes) -> Sample {
    actix_rt::System::new().block_on(async {
        actix_rt::spawn(harness::run::<actix_lib::Actix>(workload, sizes)).await.expect("workload panicked")
    })
}
