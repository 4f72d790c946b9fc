//go:build engine

package enginetest

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/testfixture"
)

const (
	typeTopic       = "aws:sns/topic:Topic"
	typeTopicPolicy = "aws:sns/topicPolicy:TopicPolicy"
	typeProvider    = "pulumi:providers:aws"
)

// Through the real CLI and engine: replication time control with buckets in three Regions, the
// archive's among them (the fixture Pulumi.rtc-three-regions.yaml). The fake AWS refuses a second resource
// of a stack creating an object the stack already created, where SNS would silently share the topic, so
// only one owner per topic deploys. There is one topic per Region, and turning the alarms off deletes each
// topic, and each topic policy, exactly once.
func TestEngine_OneAlarmTopicPerRegion_DeletedOnce(t *testing.T) {
	ctx := t.Context()
	env := NewEnv(t)
	require.NoError(t, testfixture.CopyExtras(env.WorkDir))
	opLog := env.LogOperations()

	env.Up(ctx, env.Stack(ctx, "destination"))
	src := env.Stack(ctx, "rtc-three-regions")
	env.Up(ctx, src)
	topics := OfType(OfStack(env.Records(), "rtc-three-regions"), typeTopic)
	regions := map[string]string{}
	for _, r := range topics {
		assert.Equal(t, "333333333333", r.Account)
		regions[r.Region] = r.ID
	}
	assert.Equal(t, map[string]string{
		"eu-central-1": "arn:aws:sns:eu-central-1:333333333333:log-archive-replication-alarms",
		"eu-west-1":    "arn:aws:sns:eu-west-1:333333333333:log-archive-replication-alarms",
		"us-east-2":    "arn:aws:sns:us-east-2:333333333333:log-archive-replication-alarms",
	}, regions, "one topic per Region; records: %v", Keys(topics))
	assert.Len(t, topics, 3)

	require.NoError(t, os.WriteFile(opLog, nil, 0o644))
	env.Edit("Pulumi.rtc-three-regions.yaml", func(s string) string {
		// The CLI rewrites the file when it adds the stack's encryption salt, so anchor on a key.
		return strings.Replace(s, "  log-archive:logBuckets:\n", "  log-archive:alarms: {enabled: false}\n  log-archive:logBuckets:\n", 1)
	})
	env.Up(ctx, src)
	deleted := map[string]int{}
	for _, o := range readOps(t, opLog) {
		if o.Op == "delete" && (strings.Contains(o.URN, typeTopic+"::") || strings.Contains(o.URN, typeTopicPolicy+"::")) {
			deleted[o.String()]++
		}
	}
	want := map[string]int{}
	for _, arn := range regions {
		want["delete "+typeTopic+" "+arn] = 1
		want["delete "+typeTopicPolicy+" "+arn] = 1
	}
	assert.Equal(t, want, deleted, "each topic and each topic policy deleted exactly once")
	assert.Empty(t, OfType(OfStack(env.Records(), "rtc-three-regions"), typeTopic))
}

// mainCommit is the last commit whose components built their own AWS providers (the replicator's for each
// extra Region, the alarms' for the archive's): stacks deployed with it must update in place.
const mainCommit = "84e2fc7d95e68cfac74abb843b2cf00c92a283fb"

// Issues 17.2 and 18.6 through the real engine: stacks deployed with mainCommit's program, one with buckets
// in two Regions (the replicator's provider for eu-central-1) and one whose latency alarms live in the
// archive's Region (the alarms' provider for eu-west-1), then updated with this program, whose providers
// the program builds under other names (aliased to the old). Nothing is created, replaced or deleted but
// the providers' own records; every resource keeps its URN and ID; and every role gains the permissions
// boundary by an update in place.
func TestEngine_StacksDeployedWithMainUpdateInPlace(t *testing.T) {
	ctx := t.Context()
	env := NewEnv(t)
	// A stack in eu-central-1 with replication time control, into the archive in eu-west-1: its latency
	// alarms and their topic live in eu-west-1.
	rtc := strings.NewReplacer("aws:region: eu-west-1", "aws:region: eu-central-1",
		"acme-workload-a-logs-eu-west-1", "acme-workload-e-logs-eu-central-1",
		"222222222222", "333333333333",
	).Replace(readFile(t, filepath.Join(env.WorkDir, "Pulumi.source.yaml")))
	rtc = rtc[:strings.Index(rtc, "  log-archive:sourceBuckets:")] + "  log-archive:replicationTimeControl: true\n"
	require.NoError(t, os.WriteFile(filepath.Join(env.WorkDir, "Pulumi.latency.yaml"), []byte(rtc), 0o644))
	env.Edit("Pulumi.source.yaml", withCentralBuckets)

	upWithCommit(t, env, mainCommit, "destination", "source", "latency")
	before := map[string][]Record{}
	for _, stack := range []string{"source", "latency"} {
		before[stack] = OfStack(env.Records(), stack)
	}
	require.NotNil(t, Find(before["latency"], typeTopic, "arn:aws:sns:eu-west-1:333333333333:log-archive-replication-alarms"),
		"mainCommit created the latency alarms' topic in the archive's Region; records: %v", Keys(before["latency"]))
	// mainCommit's roles have no permissions boundary (D8): this program's update gives each one the
	// boundary in place (permissionsBoundary is not replace-on-change), keeping the role and its ID.
	account := map[string]string{"source": "222222222222", "latency": "333333333333"}
	for stack, recs := range before {
		roles := OfType(recs, typeRole)
		require.NotEmpty(t, roles, stack)
		for _, r := range roles {
			assert.Empty(t, r.Inputs["permissionsBoundary"], "%s: mainCommit's role %s", stack, r.ID)
		}
	}

	for _, stack := range []string{"source", "latency"} {
		s := env.Stack(ctx, stack)
		preview := env.Preview(ctx, s)
		for _, op := range []apitype.OpType{apitype.OpCreate, apitype.OpReplace, apitype.OpCreateReplacement, apitype.OpDeleteReplaced, apitype.OpDelete} {
			assert.Zero(t, preview.ChangeSummary[op], "%s: %s in %v", stack, op, preview.ChangeSummary)
		}
		opLog := env.LogOperations()
		up := env.Up(ctx, s)
		require.NotNil(t, up.Summary.ResourceChanges)
		for _, op := range []string{"create", "replace", "delete"} {
			assert.Zero(t, (*up.Summary.ResourceChanges)[op], "%s: %s in %v", stack, op, *up.Summary.ResourceChanges)
		}
		if _, err := os.Stat(opLog); err == nil {
			for _, o := range readOps(t, opLog) {
				assert.Equal(t, "update", o.Op, "%s: %s", stack, o)
			}
		}
		after := OfStack(env.Records(), stack)
		assert.Equal(t, Keys(before[stack]), Keys(after), "%s: the same objects exist in AWS, with the same IDs", stack)
		boundary := "arn:aws:iam::" + account[stack] + ":policy/log-archive/log-archive-role-boundary"
		for _, r := range OfType(after, typeRole) {
			assert.Equal(t, boundary, r.Inputs["permissionsBoundary"], "%s: role %s gained the boundary in place", stack, r.ID)
		}
		// The program's providers took over the components' (the aliases), and every resource is served by them.
		st, err := s.Export(ctx)
		require.NoError(t, err)
		var deployment struct {
			Resources []struct {
				URN      string `json:"urn"`
				Type     string `json:"type"`
				Provider string `json:"provider"`
			} `json:"resources"`
		}
		require.NoError(t, json.Unmarshal(st.Deployment, &deployment))
		providers := map[string]bool{}
		for _, r := range deployment.Resources {
			if r.Type == typeProvider && !strings.Contains(r.URN, "::default") {
				providers[r.URN] = true
			}
		}
		region := map[string]string{"source": "eu-central-1", "latency": "eu-west-1"}[stack]
		assert.Equal(t, map[string]bool{"urn:pulumi:" + stack + "::log-archive::pulumi:providers:aws::aws-" + region: true}, providers, stack)
		for _, r := range deployment.Resources {
			if r.Provider != "" && !strings.Contains(r.Provider, "::default") {
				assert.True(t, providers[r.Provider[:strings.LastIndex(r.Provider, "::")]], "%s: %s is served by %s", stack, r.URN, r.Provider)
			}
		}
	}
}

// upWithCommit runs `pulumi up` of the stacks in env with the program of another commit of this repository,
// through the same CLI, backend and fake AWS: a small Automation API program compiled inside a copy of that
// commit's tree.
func upWithCommit(t *testing.T, env *Env, commit string, stacks ...string) {
	t.Helper()
	if out, err := exec.Command("git", "-C", testfixture.Root(), "cat-file", "-e", commit+"^{commit}").CombinedOutput(); err != nil {
		t.Fatalf("commit %s is not in this clone (a shallow clone lacks it: fetch the history): %v %s", commit, err, out)
	}
	archive, err := exec.Command("git", "-C", testfixture.Root(), "archive", "--format=tar", commit).Output()
	require.NoError(t, err, "git archive %s", commit)
	tree := t.TempDir()
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		path := filepath.Join(tree, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			require.NoError(t, os.MkdirAll(path, 0o755))
		case tar.TypeReg:
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			data, err := io.ReadAll(tr)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, data, 0o644))
		}
	}
	main := filepath.Join(tree, "cmd", "upwithcommit", "main.go")
	require.NoError(t, os.MkdirAll(filepath.Dir(main), 0o755))
	require.NoError(t, os.WriteFile(main, []byte(upWithCommitProgram), 0o644))
	// The CLI validates the stack files against the project's Pulumi.yaml before the program runs, and
	// merges its defaults in: the commit's program runs with the commit's Pulumi.yaml, as it did when it
	// was main, so a key declared since then cannot reach a program that does not know it.
	project := filepath.Join(env.WorkDir, "Pulumi.yaml")
	current, err := os.ReadFile(project)
	require.NoError(t, err)
	old, err := os.ReadFile(filepath.Join(tree, "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(project, old, 0o644))
	defer func() { require.NoError(t, os.WriteFile(project, current, 0o644)) }()
	pulumiCommand(t) // sets pulumiRoot
	cmd := exec.CommandContext(t.Context(), "go", append([]string{"run", "./cmd/upwithcommit", env.WorkDir, pulumiRoot}, stacks...)...)
	cmd.Dir = tree
	cmd.Env = os.Environ()
	for k, v := range env.envVars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "pulumi up with the program of %s:\n%s", commit, out)
	t.Logf("pulumi up with the program of %s:\n%s", commit, out)
}

// upWithCommitProgram is main.go of cmd/upwithcommit in the other commit's tree: `pulumi up` of each stack
// named, with that commit's program.Run as the inline program.
const upWithCommitProgram = `package main

import (
	"context"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"log-archive/internal/program"
)

func main() {
	ctx := context.Background()
	workDir, root := os.Args[1], os.Args[2]
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, name := range os.Args[3:] {
		s, err := auto.UpsertStackInlineSource(ctx, name, "log-archive", program.Run, auto.WorkDir(workDir), auto.Pulumi(cmd))
		if err == nil {
			_, err = s.Up(ctx, optup.ProgressStreams(os.Stdout))
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, name+":", err)
			os.Exit(1)
		}
	}
}
`
