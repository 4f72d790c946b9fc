//go:build engine

package enginetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/program"
	"log-archive/internal/rollout"
)

// rolloutSources is how many source stacks the rollout test generates: enough for concurrency 4 to
// matter, few enough for CI.
const rolloutSources = 22

// fleetEnv is an Env with an archive and rolloutSources generated source stacks, each in its own account,
// with .github/stacks.yaml entries; src-01 and src-02 are the canary wave. The archive lists every account
// but src-02's, so src-02 fails at the program's contract check, as a source onboarded before its archive
// deploy does. The project is a git repository whose first commit holds no stack file, so every stack
// file is new since that commit (--new-since).
func fleetEnv(t *testing.T) (*Env, []string) {
	env := NewEnv(t)
	source, err := os.ReadFile(filepath.Join(env.WorkDir, "Pulumi.source.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(env.WorkDir, "Pulumi.source.yaml")))
	var names []string
	var listed strings.Builder
	mapping := "stacks:\n  destination:\n    account: \"111111111111\"\n    region: eu-west-1\n" +
		"    role: arn:aws:iam::111111111111:role/log-archive-github-deployer\n" +
		"    previewRole: arn:aws:iam::111111111111:role/log-archive-github-previewer\n"
	for i := 1; i <= rolloutSources; i++ {
		name, account := fmt.Sprintf("src-%02d", i), fmt.Sprintf("4000000000%02d", i)
		names = append(names, name)
		text := strings.ReplaceAll(string(source), "222222222222", account)
		text = strings.ReplaceAll(text, "acme-workload-a", "acme-"+name)
		require.NoError(t, os.WriteFile(filepath.Join(env.WorkDir, "Pulumi."+name+".yaml"), []byte(text), 0o644))
		if name != "src-02" {
			fmt.Fprintf(&listed, "    - %q\n", account)
		}
		mapping += fmt.Sprintf("  %s:\n    account: %q\n    region: eu-west-1\n    role: arn:aws:iam::%s:role/log-archive-github-deployer\n"+
			"    previewRole: arn:aws:iam::%s:role/log-archive-github-previewer\n", name, account, account, account)
		if i <= 2 {
			mapping += "    wave: canary\n"
		}
	}
	env.Edit("Pulumi.destination.yaml", func(s string) string {
		return strings.Replace(s, "    - \"222222222222\"\n    - \"333333333333\"\n", listed.String(), 1)
	})
	require.NoError(t, os.MkdirAll(filepath.Join(env.WorkDir, ".github"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(env.WorkDir, ".github", "stacks.yaml"), []byte(mapping), 0o644))

	for _, args := range [][]string{
		{"init", "-q"}, {"add", "Pulumi.yaml", ".github/stacks.yaml"},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "no stacks yet"}, {"tag", "before"},
	} {
		out, err := exec.Command("git", append([]string{"-C", env.WorkDir}, args...)...).CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	return env, names
}

func (e *Env) rolloutOptions(op rollout.Op, stacks []string) (rollout.Options, *bytes.Buffer) {
	var progress bytes.Buffer
	return rollout.Options{
		Dir: e.WorkDir, Op: op, Stacks: stacks, Concurrency: 4, Program: program.Run,
		Pulumi: pulumiCommand(e.t), Env: e.envVars, Progress: &progress,
	}, &progress
}

func byStack(sum rollout.Summary) map[string]rollout.Result {
	out := map[string]rollout.Result{}
	for _, r := range sum.Results {
		out[r.Stack] = r
	}
	return out
}

// maxInFlight reads the progress lines: how many stacks ran at once, at most.
func maxInFlight(progress string) int {
	n, most := 0, 0
	for _, line := range strings.Split(progress, "\n") {
		switch {
		case strings.HasPrefix(line, "rollout: start "):
			n++
			most = max(most, n)
		case strings.HasPrefix(line, "rollout: "):
			n--
		}
	}
	return most
}

// Through the real CLI and engine: `fleet rollout` over an archive and 22 source stacks at
// concurrency 4. A stack missing from the backend whose stack file is not new is refused; a canary
// failure stops the later wave; a failure tolerance of 1 lets one failure pass while the others deploy;
// a drift check fails on the one stack whose file changed.
func TestEngine_RolloutWavesConcurrencyAndFailureTolerance(t *testing.T) {
	ctx := t.Context()
	env, sources := fleetEnv(t)

	// No silent new stacks: without --new-since the archive's missing stack is an error, and nothing
	// exists in AWS afterwards.
	o, _ := env.rolloutOptions(rollout.OpUp, []string{"destination"})
	sum, err := rollout.Run(ctx, o)
	require.NoError(t, err)
	require.Len(t, sum.Results, 1)
	assert.Equal(t, rollout.StatusFailed, sum.Results[0].Status)
	assert.Contains(t, sum.Results[0].Error, "stack destination does not exist in the backend file://")
	assert.Contains(t, sum.Results[0].Error, "Is this the right backend (PULUMI_BACKEND_URL) or Pulumi organization?")
	assert.False(t, sum.OK())
	assert.Empty(t, env.Records(), "nothing was created")

	// Waves: the archive, then the canary wave (src-01 deploys, src-02 fails), and the rest never start.
	o, progress := env.rolloutOptions(rollout.OpUp, append([]string{"destination"}, sources...))
	o.Waves, o.NewSince = true, "before"
	sum, err = rollout.Run(ctx, o)
	require.NoError(t, err)
	t.Logf("waves:\n%s", progress)
	got := byStack(sum)
	assert.Equal(t, rollout.StatusSucceeded, got["destination"].Status, got["destination"].Error)
	assert.Equal(t, "destination", got["destination"].Wave)
	assert.Equal(t, rollout.StatusSucceeded, got["src-01"].Status, got["src-01"].Error)
	assert.Equal(t, rollout.StatusFailed, got["src-02"].Status)
	assert.Contains(t, got["src-02"].Error, "400000000002")
	for _, name := range sources[2:] {
		assert.Equal(t, rollout.StatusNotStarted, got[name].Status, name)
		assert.Equal(t, "sources", got[name].Wave, name)
		assert.Empty(t, OfStack(env.Records(), name), "%s: nothing deployed after the canary failed", name)
	}
	assert.Equal(t, 1, sum.Failed)
	assert.False(t, sum.OK())
	assert.NotEmpty(t, OfStack(env.Records(), "src-01"))
	assert.Positive(t, got["src-01"].Changes["create"], "the canary was created")

	// A failure tolerance of 1: src-02 fails again, every other source deploys (src-01 has nothing to do).
	o, progress = env.rolloutOptions(rollout.OpUp, sources)
	o.NewSince, o.Tolerance = "before", rollout.Tolerance{Count: 1}
	sum, err = rollout.Run(ctx, o)
	require.NoError(t, err)
	var table bytes.Buffer
	require.NoError(t, sum.WriteTable(&table))
	t.Logf("tolerance 1:\n%s\n%s", progress, table.String())
	got = byStack(sum)
	assert.Equal(t, rollout.StatusFailed, got["src-02"].Status)
	assert.Empty(t, got["src-01"].Changes, "src-01 was deployed by the canary wave")
	for _, name := range sources[2:] {
		assert.Equal(t, rollout.StatusSucceeded, got[name].Status, "%s: %s", name, got[name].Error)
		assert.NotEmpty(t, OfStack(env.Records(), name), name)
	}
	assert.Equal(t, 1, sum.Failed)
	assert.True(t, sum.OK(), "one failure is within the tolerance of 1")
	most := maxInFlight(progress.String())
	assert.LessOrEqual(t, most, 4, "concurrency 4")
	assert.GreaterOrEqual(t, most, 2, "stacks ran side by side")
	assert.Contains(t, table.String(), "STACK  ")
	assert.Contains(t, table.String(), "up passed: 22 stacks (21 ok, 1 failed); 1 failed, tolerance 1")
	var slowest, total time.Duration
	for _, r := range sum.Results {
		slowest, total = max(slowest, r.Duration), total+r.Duration
	}
	t.Logf("timing: %d stacks, %s elapsed, %s of stack time (%.1fs a stack on average, slowest %s): concurrency 4 ran them %.1fx faster than one after another",
		len(sum.Results), sum.Elapsed.Round(time.Millisecond), total.Round(time.Millisecond),
		total.Seconds()/float64(len(sum.Results)), slowest.Round(time.Millisecond), total.Seconds()/sum.Elapsed.Seconds())

	// The drift check: a preview expecting no changes passes on deployed stacks, and fails on the one whose
	// stack file changed since its deploy, with the change counted.
	env.Edit("Pulumi.src-03.yaml", func(s string) string { return strings.Replace(s, "team: security", "team: platform", 1) })
	o, _ = env.rolloutOptions(rollout.OpPreview, []string{"destination", "src-03", "src-04"})
	o.ExpectNoChanges = true
	sum, err = rollout.Run(ctx, o)
	require.NoError(t, err)
	got = byStack(sum)
	assert.Equal(t, rollout.StatusSucceeded, got["destination"].Status, got["destination"].Error)
	assert.Equal(t, rollout.StatusSucceeded, got["src-04"].Status, got["src-04"].Error)
	assert.Equal(t, rollout.StatusChanged, got["src-03"].Status, got["src-03"].Error)
	assert.Positive(t, got["src-03"].Changes["update"], "the tag change updates resources")
	assert.Contains(t, got["src-03"].Diff, "platform", "the diff is kept for the review comment")
	assert.False(t, sum.OK())

	// Drift made in AWS, not in the code: src-04's replication configuration deleted by hand. A preview
	// compares the code with the state only and finds nothing; the drift check's refreshing preview reads
	// AWS first, finds the configuration gone and fails, and writes no state (it fails again).
	deleteRecords(t, env, "src-04", typeReplication)
	o, _ = env.rolloutOptions(rollout.OpPreview, []string{"src-04"})
	o.ExpectNoChanges = true
	sum, err = rollout.Run(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, rollout.StatusSucceeded, byStack(sum)["src-04"].Status, "without a refresh the preview sees only the state")
	for range 2 {
		o.Refresh = true
		sum, err = rollout.Run(ctx, o)
		require.NoError(t, err)
		r := byStack(sum)["src-04"]
		assert.Equal(t, rollout.StatusChanged, r.Status, r.Error)
		assert.Positive(t, r.Changes["create"], "the deleted replication configuration is created again: %v", r.Changes)
	}
}

// deleteRecords deletes from the fake AWS, as someone with the console would, every object of a type that
// a stack's resources hold.
func deleteRecords(t *testing.T, env *Env, stack, typ string) {
	t.Helper()
	n := 0
	require.NoError(t, filepath.WalkDir(env.AWSDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var r Record
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		if r.Type == typ && strings.HasPrefix(r.URN, "urn:pulumi:"+stack+"::") {
			n++
			return os.Remove(path)
		}
		return nil
	}))
	require.Positive(t, n, "%s holds no %s", stack, typ)
}
