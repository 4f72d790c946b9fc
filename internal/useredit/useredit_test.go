//go:build useredit

// Package useredit proves that the stack files are the user's: a copy of the repository whose stack files
// are edited as the README tells a new user to (every account ID, bucket name and Region replaced, three
// source stacks added, the example source stack deleted, .github/stacks.yaml to match) passes the project's
// own checks: .ci/stack-checks (the workflow matrix and the offline plan of every stack), `go test ./...`, and,
// with a Pulumi CLI at hand (LOG_ARCHIVE_PULUMI), the engine test that deploys the repository's stack files.
// It runs the real commands in the copy, so it takes a minute; .ci/run runs it (`go test -tags useredit`).
package useredit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"log-archive/internal/testfixture"
)

// The user's archive: another account, Region, bucket, key alias and role identity than the example.
const destination = `config:
  log-archive:stackKind: destination
  aws:region: us-west-2
  aws:allowedAccountIds: ["444455556666"]
  log-archive:archiveAccountId: "444455556666"
  log-archive:archiveBucketName: contoso-audit-archive-us-west-2
  log-archive:sourceAccountIds: ["500000000001", "500000000002", "500000000003"]
  log-archive:keyAlias: alias/contoso-audit
  log-archive:replicationRolePath: /audit/
  log-archive:replicationRoleName: audit-replication
  log-archive:objectLock:
    mode: COMPLIANCE
    days: 2555
`

// Three source stacks: log buckets only, existing buckets only, and both, in three Regions.
var sources = map[string]string{
	"workload-a": `config:
  log-archive:stackKind: source
  aws:region: us-west-2
  aws:allowedAccountIds: ["500000000001"]
  log-archive:sourceAccountId: "500000000001"
  log-archive:destinationStack: contoso/log-archive/destination
  log-archive:logBuckets:
    - name: contoso-workload-a-logs
      services: [cloudtrail, vpc-flow-logs]
      trailNames: [org-trail]
`,
	"workload-b": `config:
  log-archive:stackKind: source
  aws:region: eu-central-1
  aws:allowedAccountIds: ["500000000002"]
  log-archive:sourceAccountId: "500000000002"
  log-archive:destinationStack: contoso/log-archive/destination
  log-archive:sourceBuckets:
    - name: contoso-b-app-logs
      kmsKeyArns: [arn:aws:kms:eu-central-1:500000000002:key/11111111-2222-3333-4444-555555555555]
      prefix: app/
  log-archive:replicationTimeControl: true
`,
	"workload-c": `config:
  log-archive:stackKind: source
  aws:region: ap-southeast-2
  aws:allowedAccountIds: ["500000000003"]
  log-archive:sourceAccountId: "500000000003"
  log-archive:destinationStack: destination
  log-archive:logBuckets:
    - name: contoso-c-guardduty
      services: [guardduty]
      guardDutyDetectorId: 0123456789abcdef0123456789abcdef
  log-archive:sourceBuckets:
    - name: contoso-c-elb-logs
      kmsKeyArns: [arn:aws:kms:ap-southeast-2:500000000003:key/66666666-7777-8888-9999-000000000000]
  log-archive:replicaStorageClass: GLACIER_IR
`,
}

var accounts = map[string]struct{ account, region string }{
	"destination": {"444455556666", "us-west-2"},
	"workload-a":  {"500000000001", "us-west-2"},
	"workload-b":  {"500000000002", "eu-central-1"},
	"workload-c":  {"500000000003", "ap-southeast-2"},
}

func TestARealUsersEditedStacksPassTheProjectsChecks(t *testing.T) {
	dir := copyRepository(t)
	write(t, dir, "Pulumi.destination.yaml", destination)
	for name, body := range sources {
		write(t, dir, "Pulumi."+name+".yaml", body)
	}
	if err := os.Remove(filepath.Join(dir, "Pulumi.source.yaml")); err != nil {
		t.Fatal(err)
	}
	var stacks strings.Builder
	stacks.WriteString("stacks:\n")
	for _, name := range []string{"destination", "workload-a", "workload-b", "workload-c"} {
		a := accounts[name]
		stacks.WriteString("  " + name + ":\n    account: \"" + a.account + "\"\n    region: " + a.region +
			"\n    role: arn:aws:iam::" + a.account + ":role/contoso-deployer\n    previewRole: arn:aws:iam::" + a.account + ":role/contoso-previewer\n")
	}
	write(t, dir, ".github/stacks.yaml", stacks.String())

	run(t, dir, "bash", ".ci/stack-checks")
	run(t, dir, "go", "test", "-count=1", "./...")
	// The real CLI's config validation and a deploy of these stack files, when a CLI is at hand
	// (.ci/run passes the one .ci/pulumi-cli builds).
	if os.Getenv("LOG_ARCHIVE_PULUMI") != "" {
		run(t, dir, "go", "test", "-tags", "engine", "-count=1", "-run", "TheRepositorysStackFilesDeploy", "./internal/enginetest/")
	} else {
		t.Log("LOG_ARCHIVE_PULUMI is not set: the engine part is skipped")
	}
}

// copyRepository copies the files git tracks, and untracked ones it does not ignore, into a temp dir.
func copyRepository(t *testing.T) string {
	t.Helper()
	root := testfixture.Root()
	out, err := exec.Command("git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dir := t.TempDir()
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(root, f))
		if os.IsNotExist(err) { // deleted in the work tree
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, f, string(b))
	}
	return dir
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		const tail = 6000 // the end names the failing test; a whole plan in a message helps nobody
		if len(out) > tail {
			out = append([]byte("...\n"), out[len(out)-tail:]...)
		}
		t.Fatalf("%s %s in the edited copy failed: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	t.Logf("%s %s: ok", name, strings.Join(args, " "))
}
