//! Generates realistic KOTS releases of N workloads for the benchmark and the output-stability
//! test: Deployments, StatefulSets (volumeClaimTemplates) and CronJobs with volumes, opt-in
//! annotations and hooks, KOTS and Helm template expressions, multi-document files, a Backup
//! and a kURL Installer. With `mistakes`, one workload in ten of each kind carries a mistake
//! per family (some fixable, some not).

use std::fmt::Write as _;
use std::path::Path;

pub struct Generated {
    pub files: usize,
    pub bytes: usize,
    pub workloads: usize,
    /// How many findings the planted mistakes should produce.
    pub mistakes: usize,
}

/// Workloads per multi-document file.
const PER_FILE: usize = 10;

pub fn generate(dir: &Path, workloads: usize, mistakes: bool) -> std::io::Result<Generated> {
    std::fs::create_dir_all(dir)?;
    let mut files = 0;
    let mut bytes = 0;
    // A CronJob's pods are not running at backup time, so its claim is never backed up
    // (VOL012, one finding per CronJob) and a missing opt-in there is not a VOL001.
    let cronjob = |i: usize| i % 3 == 2;
    let planted = (0..workloads)
        .filter(|&i| mistake(i, mistakes).is_some_and(|m| m < 3 || i % 3 != 1))
        .filter(|&i| !(cronjob(i) && mistake(i, mistakes) == Some(0)))
        .count()
        + (0..workloads).filter(|&i| cronjob(i)).count();
    let mut write = |name: String, text: String| -> std::io::Result<()> {
        bytes += text.len();
        files += 1;
        std::fs::write(dir.join(name), text)
    };
    write("backup.yaml".into(), BACKUP.into())?;
    write("installer.yaml".into(), INSTALLER.into())?;
    write("kots-app.yaml".into(), APP.into())?;
    for chunk in 0..workloads.div_ceil(PER_FILE) {
        let mut text = String::new();
        for i in chunk * PER_FILE..((chunk + 1) * PER_FILE).min(workloads) {
            text.push_str("---\n");
            text.push_str(&workload(i, mistakes));
            text.push_str("---\n");
            text.push_str(&service(i));
        }
        write(format!("app-{chunk:05}.yaml"), text)?;
    }
    Ok(Generated {
        files,
        bytes,
        workloads,
        mistakes: planted,
    })
}

const BACKUP: &str = "apiVersion: velero.io/v1
kind: Backup
metadata:
  name: backup
spec:
  excludedNamespaces:
    - kube-system
  hooks:
    resources:
      - name: sync-before-backup
        includedResources: [pods]
        labelSelector:
          matchLabels:
            tier: db
        pre:
          - exec:
              container: db
              command: [\"/bin/sync\"]
              onError: Continue
              timeout: 30s
";

const INSTALLER: &str = "apiVersion: cluster.kurl.sh/v1beta1
kind: Installer
metadata:
  name: platform
spec:
  kubernetes:
    version: 1.33.x
  kotsadm:
    version: 1.130.7
  velero:
    version: 1.17.1
";

const APP: &str = "apiVersion: kots.io/v1beta1
kind: Application
metadata:
  name: platform
spec:
  title: Platform
  minKotsVersion: 1.124.0
";

/// Which mistake workload `i` carries, if any.
fn mistake(i: usize, mistakes: bool) -> Option<usize> {
    (mistakes && i % 10 < 5).then_some(i % 10)
}

fn workload(i: usize, mistakes: bool) -> String {
    match i % 3 {
        0 => deployment(i, mistakes),
        1 => statefulset(i, mistakes),
        _ => cronjob(i, mistakes),
    }
}

/// Pod template annotations: opt-in of `volume` plus a pre-backup hook, or a mistake.
/// StatefulSets get their pre-backup hook from the Backup's spec instead (an annotation hook
/// would shadow it), so they carry only volume mistakes.
fn annotations(i: usize, volume: &str, container: &str, mistakes: bool) -> String {
    let ind = "        ";
    let mut a = String::new();
    let volumes = match mistake(i, mistakes) {
        Some(0) => None,                               // VOL001: data volume not opted in
        Some(1) => Some(format!("{volume}x")),         // VOL002: no such volume (did you mean)
        Some(2) => Some(format!("{volume}, scratch")), // VOL006: space after the comma
        _ => Some(format!("{volume},scratch")),
    };
    if let Some(v) = volumes {
        let _ = writeln!(a, "{ind}backup.velero.io/backup-volumes: {v}");
    }
    if i % 3 == 1 {
        return a;
    }
    let command = match mistake(i, mistakes) {
        Some(3) => "/bin/sh -c sync".to_owned(), // HOOK002: one string, no shell
        _ => format!("'[\"/bin/sh\", \"-c\", \"sync && echo {i} > /scratch/marker\"]'"),
    };
    let on_error = if mistake(i, mistakes) == Some(4) {
        "continue"
    } else {
        "Continue"
    }; // HOOK003
    let _ = writeln!(a, "{ind}pre.hook.backup.velero.io/container: {container}");
    let _ = writeln!(a, "{ind}pre.hook.backup.velero.io/command: {command}");
    let _ = writeln!(a, "{ind}pre.hook.backup.velero.io/on-error: {on_error}");
    let _ = writeln!(a, "{ind}pre.hook.backup.velero.io/timeout: 2m");
    a
}

fn deployment(i: usize, mistakes: bool) -> String {
    let ann = annotations(i, "data", "app", mistakes);
    format!(
        "# Workload {i}: an API server with an uploads volume.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api-{i}
  labels:
    app: api-{i}
spec:
  replicas: repl{{{{ ConfigOption \"api_replicas\" }}}}
  selector:
    matchLabels:
      app: api-{i}
  template:
    metadata:
      labels:
        app: api-{i}
        tier: web
      annotations:
{ann}    spec:
      containers:
        - name: app
          image: 'repl{{{{ LocalImageName \"registry.example.com/api:1.{i}\" }}}}'
          env:
            - name: HOSTNAME
              value: '{{{{repl ConfigOption \"hostname\" }}}}'
          volumeMounts:
            - name: data
              mountPath: /var/lib/api
            - name: scratch
              mountPath: /scratch
            - name: config
              mountPath: /etc/api
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: api-{i}-data
        - name: scratch
          emptyDir: {{}}
        - name: config
          configMap:
            name: api-{i}-config
"
    )
}

fn statefulset(i: usize, mistakes: bool) -> String {
    let ann = annotations(i, "pgdata", "db", mistakes);
    format!(
        "# Workload {i}: a PostgreSQL database.
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db-{i}
spec:
  serviceName: db-{i}
  selector:
    matchLabels:
      app: db-{i}
  template:
    metadata:
      labels:
        app: db-{i}
        tier: db
      annotations:
{ann}    spec:
      containers:
        - name: db
          image: postgres:16
          volumeMounts:
            - name: pgdata
              mountPath: /var/lib/postgresql/data
            - name: scratch
              mountPath: /scratch
      volumes:
        - name: scratch
          emptyDir:
            sizeLimit: 1Gi
  volumeClaimTemplates:
    - metadata:
        name: pgdata
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 10Gi
"
    )
}

fn cronjob(i: usize, mistakes: bool) -> String {
    let ann = annotations(i, "exports", "export", mistakes).replace("\n        ", "\n            ");
    let ann = format!("    {ann}");
    format!(
        "# Workload {i}: a nightly export.
apiVersion: batch/v1
kind: CronJob
metadata:
  name: export-{i}
spec:
  schedule: \"0 3 * * *\"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
{ann}        spec:
          restartPolicy: OnFailure
          containers:
            - name: export
              image: registry.example.com/export:2.{i}
              volumeMounts:
                - name: exports
                  mountPath: /exports
                - name: scratch
                  mountPath: /scratch
          volumes:
            - name: exports
              persistentVolumeClaim:
                claimName: exports-{i}
            - name: scratch
              emptyDir: {{}}
"
    )
}

fn service(i: usize) -> String {
    format!(
        "apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
spec:
  selector:
    app: api-{i}
  ports:
    - port: {{{{ .Values.port | default 8080 }}}}
"
    )
}
