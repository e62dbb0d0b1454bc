//! Events are served by both `core/v1` and `events.k8s.io/v1`: the lab's core events read
//! through the new API, and kube-runtime's `Recorder` (which writes events.k8s.io) shows
//! up in core listings, field selectors and `kubectl describe`.

use k8s_openapi::api::core::v1::{Event as CoreEvent, ObjectReference, Pod};
use k8s_openapi::api::events::v1::Event;
use kube::Resource;
use kube::api::{Api, ListParams};
use kube::runtime::events::{Event as RuntimeEvent, EventType, Recorder, Reporter};
use kube_emulator::KubeEmulator;

#[tokio::test]
async fn events_are_served_by_both_apis() {
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    let new_api: Api<Event> = Api::namespaced(emu.client(), &lab.namespace);
    let seeded = new_api
        .list(&ListParams::default().fields(&format!("regarding.name={}", lab.pod)))
        .await
        .unwrap();
    let failed = seeded
        .items
        .iter()
        .find(|e| e.reason.as_deref() == Some("Failed"))
        .unwrap();
    assert_eq!(
        failed.note.as_deref(),
        Some("Error: container step-build exited with code 1")
    );
    assert_eq!(failed.reporting_controller.as_deref(), Some("kubelet"));

    let pods: Api<Pod> = Api::namespaced(emu.client(), &lab.namespace);
    let pod = pods.get(&lab.pod).await.unwrap();
    let reference: ObjectReference = pod.object_ref(&());
    let recorder = Recorder::new(
        emu.client(),
        Reporter {
            controller: "pipeline-agent".into(),
            instance: Some("agent-0".into()),
        },
    );
    let event = RuntimeEvent {
        type_: EventType::Normal,
        reason: "Analyzed".into(),
        note: Some("issue #7 filed".into()),
        action: "Report".into(),
        secondary: None,
    };
    recorder.publish(&event, &reference).await.unwrap();

    let core: Api<CoreEvent> = Api::namespaced(emu.client(), &lab.namespace);
    let selector = format!("involvedObject.name={},reason=Analyzed", lab.pod);
    let found = core
        .list(&ListParams::default().fields(&selector))
        .await
        .unwrap();
    let ev = found.items.first().unwrap();
    assert_eq!(ev.message.as_deref(), Some("issue #7 filed"));
    assert_eq!(
        ev.source.as_ref().and_then(|s| s.component.as_deref()),
        Some("pipeline-agent")
    );
    assert_eq!(ev.involved_object.uid, pod.metadata.uid);
}
