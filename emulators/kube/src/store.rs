//! The generic object store: objects as JSON keyed by (group, resource, namespace, name),
//! one global resourceVersion counter, a bounded event history for watches that resume
//! from a resourceVersion, and a broadcast channel feeding live watches. Everything sits
//! behind one lock; no lock is ever held across an `.await`.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::broadcast;

use super::auth::Identity;
use super::object::meta_mut;
use super::registry::ResourceType;
use super::status::ApiError;

/// How many past events a watch can resume from before getting 410 Expired.
const HISTORY: usize = 4096;

/// Where an object lives. The version is not part of the key: all versions of a
/// resource share storage, as in the real API server.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Key {
    /// API group.
    pub group: String,
    /// Plural resource name.
    pub plural: String,
    /// Namespace (`""` for cluster-scoped objects).
    pub namespace: String,
    /// Object name.
    pub name: String,
}

impl Key {
    /// The key of an object of type `rt`.
    pub(super) fn new(rt: &ResourceType, namespace: &str, name: &str) -> Self {
        Self {
            group: rt.group.clone(),
            plural: rt.plural.clone(),
            namespace: if rt.namespaced {
                namespace.to_string()
            } else {
                String::new()
            },
            name: name.to_string(),
        }
    }
}

/// A change, as watches see it.
#[derive(Debug, Clone)]
pub(super) struct Event {
    /// resourceVersion after the change.
    pub rv: u64,
    /// `ADDED`, `MODIFIED` or `DELETED`.
    pub kind: &'static str,
    /// Where the object lives.
    pub key: Key,
    /// The object after the change (before removal for `DELETED`, with the new RV).
    pub object: Value,
}

/// Log text of one container instance.
#[derive(Debug, Clone)]
pub(super) struct LogText {
    /// (Unix second the line was written, the line without its newline).
    pub lines: Vec<(i64, String)>,
}

/// A line appended to a container's log, for `follow=true` readers.
#[derive(Debug, Clone)]
pub(super) struct LogLine {
    /// Whose log.
    pub key: LogKey,
    /// Unix second it was written.
    pub ts: i64,
    /// The line.
    pub text: String,
}

/// (namespace, pod, container, previous).
pub(super) type LogKey = (String, String, String, bool);

/// Everything one emulator instance knows.
#[derive(Debug)]
pub(super) struct State {
    /// Feeds live watches.
    pub tx: broadcast::Sender<Arc<Event>>,
    /// Feeds `follow=true` log readers.
    pub log_tx: broadcast::Sender<Arc<LogLine>>,
    /// Served resource types.
    pub types: Vec<ResourceType>,
    /// Stored objects.
    pub objects: BTreeMap<Key, Value>,
    /// The last resourceVersion handed out.
    pub rv: u64,
    /// Recent changes, oldest first.
    pub history: VecDeque<Arc<Event>>,
    /// Container logs.
    pub logs: HashMap<LogKey, LogText>,
    /// What each field manager last applied (server-side apply), per object.
    pub applied: HashMap<Key, BTreeMap<String, Value>>,
    /// Bearer token → identity.
    pub identities: HashMap<String, Identity>,
    /// Scripted exec results: (namespace, pod, command line) → result.
    pub exec: HashMap<(String, String, String), super::exec_result::ExecResult>,
    /// Finalizers a simulated controller removes as soon as deletion starts.
    pub simulated_finalizers: Vec<String>,
    /// `openAPIV3Schema` per (group, version, plural): served CRDs, and built-in kinds
    /// that borrow a vendored CRD's schema (OpenShift's Route, …).
    pub schemas: HashMap<(String, String, String), Arc<Value>>,
}

impl State {
    /// An empty world with the given types.
    pub(super) fn new(types: Vec<ResourceType>) -> Self {
        Self {
            tx: broadcast::channel(1024).0,
            log_tx: broadcast::channel(1024).0,
            types,
            objects: BTreeMap::new(),
            rv: 0,
            history: VecDeque::new(),
            logs: HashMap::new(),
            applied: HashMap::new(),
            identities: HashMap::new(),
            simulated_finalizers: Vec::new(),
            exec: HashMap::new(),
            schemas: HashMap::new(),
        }
    }

    /// The type serving `group/version/plural`.
    pub(super) fn lookup(&self, group: &str, version: &str, plural: &str) -> Option<ResourceType> {
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
            .cloned()
    }

    /// The type of `apiVersion` + `kind`.
    pub(super) fn lookup_kind(&self, api_version: &str, kind: &str) -> Option<ResourceType> {
        self.types
            .iter()
            .find(|t| t.api_version() == api_version && t.kind == kind)
            .cloned()
    }

    /// Adds (or replaces) resource types, e.g. when a CRD is created.
    pub(super) fn register(&mut self, types: Vec<ResourceType>) {
        for t in types {
            self.types.retain(|x| {
                !(x.group == t.group && x.version == t.version && x.plural == t.plural)
            });
            if t.preferred {
                for x in self.types.iter_mut().filter(|x| x.group == t.group) {
                    x.preferred = false;
                }
            }
            self.types.push(t);
        }
    }

    /// Removes the types of a deleted CRD (`plural.group`).
    pub(super) fn unregister(&mut self, group: &str, plural: &str) {
        self.types
            .retain(|x| !(x.group == group && x.plural == plural));
        self.schemas
            .retain(|(g, _, p), _| !(g == group && p == plural));
    }

    /// Sets the schemas of a CRD's versions (replacing those it had).
    pub(super) fn set_schemas(&mut self, crd: &Value) {
        let (Some(group), Some(plural)) = (
            crd.pointer("/spec/group").and_then(Value::as_str),
            crd.pointer("/spec/names/plural").and_then(Value::as_str),
        ) else {
            return;
        };
        let (group, plural) = (group.to_string(), plural.to_string());
        self.schemas
            .retain(|(g, _, p), _| !(*g == group && *p == plural));
        for (version, schema) in super::crds::schemas(crd) {
            self.schemas
                .insert((group.clone(), version, plural.clone()), Arc::new(schema));
        }
    }

    /// Stores `obj` under `key` with a fresh resourceVersion and tells watchers.
    pub(super) fn put(&mut self, key: Key, mut obj: Value, kind: &'static str) -> Value {
        self.rv += 1;
        meta_mut(&mut obj).insert("resourceVersion".into(), Value::String(self.rv.to_string()));
        self.objects.insert(key.clone(), obj.clone());
        self.record(Event {
            rv: self.rv,
            kind,
            key,
            object: obj.clone(),
        });
        obj
    }

    /// Removes the object under `key` and tells watchers (the event carries a new RV).
    pub(super) fn remove(&mut self, key: &Key) -> Option<Value> {
        let mut obj = self.objects.remove(key)?;
        self.applied.remove(key);
        if key.group.is_empty() && key.plural == "pods" {
            self.logs
                .retain(|(ns, pod, _, _), _| !(ns == &key.namespace && pod == &key.name));
        }
        self.rv += 1;
        meta_mut(&mut obj).insert("resourceVersion".into(), Value::String(self.rv.to_string()));
        self.record(Event {
            rv: self.rv,
            kind: "DELETED",
            key: key.clone(),
            object: obj.clone(),
        });
        Some(obj)
    }

    fn record(&mut self, event: Event) {
        let event = Arc::new(event);
        self.history.push_back(event.clone());
        while self.history.len() > HISTORY {
            self.history.pop_front();
        }
        // No receivers is fine: nobody is watching.
        let _ = self.tx.send(event);
    }

    /// The oldest resourceVersion a watch can still resume from.
    pub(super) fn oldest_rv(&self) -> u64 {
        self.history
            .front()
            .map(|e| e.rv.saturating_sub(1))
            .unwrap_or(self.rv)
    }

    /// Checks that a namespaced write may go into `namespace`.
    pub(super) fn check_namespace(&self, namespace: &str) -> Result<(), ApiError> {
        let key = Key {
            group: String::new(),
            plural: "namespaces".into(),
            namespace: String::new(),
            name: namespace.into(),
        };
        match self.objects.get(&key) {
            None => Err(ApiError::not_found("", "namespaces", namespace)),
            Some(ns) if ns.pointer("/metadata/deletionTimestamp").is_some() => {
                Err(ApiError::forbidden(format!(
                    "unable to create new content in namespace {namespace} because it is being terminated"
                )))
            }
            Some(_) => Ok(()),
        }
    }
}

/// The object as type `rt` presents it (its apiVersion and kind).
pub(super) fn present(rt: &ResourceType, obj: &Value) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("apiVersion".into(), Value::String(rt.api_version()));
    map.insert("kind".into(), Value::String(rt.kind.clone()));
    if let Some(fields) = obj.as_object() {
        for (k, v) in fields {
            if k != "apiVersion" && k != "kind" {
                map.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(map)
}
