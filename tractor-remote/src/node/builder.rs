//! [`NodeBuilder`]: the Zenoh configuration of a node, safe by default.

use std::fmt;
use std::time::Duration;

use tractor::Runtime;

use super::Node;
use crate::error::NodeError;

/// Configures and builds a [`Node`]: `Node::builder(&runtime)`.
///
/// The defaults keep traffic where you point it:
///
/// - **no multicast scouting** (Zenoh's own default turns it on; enable it
///   with [`multicast_scouting`](Self::multicast_scouting)). Gossip over the
///   links a node already has stays on, so nodes that connect to a common
///   node find each other.
/// - it listens only on the endpoints you give to [`listen`](Self::listen)
///   (none given: `tcp/127.0.0.1:0`, loopback on a free port), never on
///   Zenoh's peer default `tcp/[::]:0`.
/// - a link silent for [`lease`](Self::lease) (default 2 s) is closed and
///   its node counted as lost; a process that is killed is noticed at once
///   (its sockets close).
///
/// TLS, QUIC, authentication and the like are Zenoh's own settings: start
/// from your [`zenoh::Config`] with [`zenoh_config`](Self::zenoh_config);
/// the builder then sets only what its own methods name.
pub struct NodeBuilder {
    runtime: Runtime,
    config: Option<zenoh::Config>,
    listen: Vec<String>,
    connect: Vec<String>,
    multicast: bool,
    lease: Duration,
    ask_timeout: Duration,
    lookup_timeout: Duration,
    namespace: String,
}

impl NodeBuilder {
    pub(super) fn new(runtime: &Runtime) -> Self {
        NodeBuilder {
            runtime: runtime.clone(),
            config: None,
            listen: Vec::new(),
            connect: Vec::new(),
            multicast: false,
            lease: Duration::from_secs(2),
            ask_timeout: Duration::from_secs(10),
            lookup_timeout: Duration::from_secs(2),
            namespace: "tractor".into(),
        }
    }

    /// Listens on `endpoint` (Zenoh's form: `tcp/127.0.0.1:7447`). May be
    /// called more than once.
    pub fn listen(mut self, endpoint: impl Into<String>) -> Self {
        self.listen.push(endpoint.into());
        self
    }

    /// Connects to the node listening on `endpoint`, retrying in the
    /// background while it is not there. May be called more than once.
    pub fn connect(mut self, endpoint: impl Into<String>) -> Self {
        self.connect.push(endpoint.into());
        self
    }

    /// Turns Zenoh's UDP multicast scouting on (off by default): nodes on
    /// the local network then find each other without endpoints.
    pub fn multicast_scouting(mut self, enabled: bool) -> Self {
        self.multicast = enabled;
        self
    }

    /// How long a silent link lives (Zenoh's `transport/link/tx/lease`,
    /// default here 2 s, Zenoh's own 10 s). A node whose links all close is
    /// lost: watchers of its actors get `on_down` with
    /// [`StopReason::NodeLost`](tractor::StopReason::NodeLost) and asks to
    /// it fail with `is_unreachable`. A killed process is noticed as soon as
    /// its sockets close; a hung one after about the lease.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long an ask through a [`RemoteRef`](crate::RemoteRef) waits for
    /// its reply before failing with `is_unreachable` (default 10 s), when
    /// the request sets no [`timeout`](crate::RemoteRequest::timeout) of its
    /// own.
    pub fn ask_timeout(mut self, timeout: Duration) -> Self {
        self.ask_timeout = timeout;
        self
    }

    /// How long [`Node::lookup`] waits for a node serving the name (default
    /// 2 s).
    pub fn lookup_timeout(mut self, timeout: Duration) -> Self {
        self.lookup_timeout = timeout;
        self
    }

    /// The key prefix of every key this node uses (default `tractor`): nodes
    /// with different namespaces do not see each other's names.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Starts from `config` instead of `zenoh::Config::default()`.
    pub fn zenoh_config(mut self, config: zenoh::Config) -> Self {
        self.config = Some(config);
        self
    }

    /// The Zenoh configuration [`build`](Self::build) opens the session
    /// with.
    pub fn to_zenoh_config(&self) -> Result<zenoh::Config, NodeError> {
        let mut config = self.config.clone().unwrap_or_default();
        let listen = if self.listen.is_empty() { vec!["tcp/127.0.0.1:0".to_owned()] } else { self.listen.clone() };
        let set = |config: &mut zenoh::Config, key: &str, value: String| {
            config.insert_json5(key, &value).map_err(|e| NodeError::zenoh(&format!("config `{key}`"), e))
        };
        set(&mut config, "mode", "\"peer\"".into())?;
        set(&mut config, "scouting/multicast/enabled", self.multicast.to_string())?;
        if !self.multicast {
            // Nothing to wait for: no multicast answers will come.
            set(&mut config, "scouting/delay", "0".into())?;
        }
        set(&mut config, "listen/endpoints", json_list(&listen))?;
        set(&mut config, "connect/endpoints", json_list(&self.connect))?;
        // Open does not wait for a connect endpoint that is not there yet;
        // Zenoh keeps retrying in the background.
        set(&mut config, "connect/timeout_ms", "0".into())?;
        set(&mut config, "connect/exit_on_failure", "false".into())?;
        set(&mut config, "transport/link/tx/lease", self.lease.as_millis().to_string())?;
        Ok(config)
    }

    /// Opens the Zenoh session and starts the node. Needs tokio's
    /// multi-thread runtime (Zenoh's own tasks do; one worker is enough): on
    /// a current-thread runtime it fails with a [`NodeError`] that says so.
    pub async fn build(self) -> Result<Node, NodeError> {
        let config = self.to_zenoh_config()?;
        let settings = super::Settings {
            namespace: self.namespace,
            ask_timeout: self.ask_timeout,
            lookup_timeout: self.lookup_timeout,
        };
        Node::open(self.runtime, config, settings).await
    }
}

fn json_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
    format!("[{}]", quoted.join(","))
}

impl fmt::Debug for NodeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeBuilder")
            .field("listen", &self.listen)
            .field("connect", &self.connect)
            .field("multicast_scouting", &self.multicast)
            .field("lease", &self.lease)
            .field("ask_timeout", &self.ask_timeout)
            .field("lookup_timeout", &self.lookup_timeout)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}
