package rollout_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/rollout"
	"log-archive/internal/testfixture"
)

func noProgram(*pulumi.Context) error { return nil }

// Bad options are refused before any stack runs, every problem at once.
func TestRun_RefusesBadOptions(t *testing.T) {
	_, err := rollout.Run(context.Background(), rollout.Options{Dir: testfixture.Project(t), Op: "destroy",
		Stacks: []string{"source", "source"}, ExpectNoChanges: true})
	require.Error(t, err)
	for _, want := range []string{`op "destroy": give preview or up`, `stack "source" is listed twice`, "concurrency 0: give 1 or more",
		"expect-no-changes checks a preview: use it with op preview", "no program"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestRun_RefusesStacksWithoutStackFileOrEntry(t *testing.T) {
	_, err := rollout.Run(context.Background(), rollout.Options{Dir: testfixture.Project(t), Op: rollout.OpPreview,
		Stacks: []string{"source", "prod", "dev"}, Concurrency: 1, Program: noProgram})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no stack file Pulumi.<stack>.yaml with an entry in .github/stacks.yaml for prod, dev; the stacks are: destination, source")
}

// The summary table, and the verdict: failures within the tolerance pass; a stack never started, or one
// failure too many, fails the rollout.
func TestSummary_TableAndVerdict(t *testing.T) {
	sum := rollout.Summary{Op: rollout.OpUp, Concurrency: 4, Tolerance: 1, Failed: 1, Elapsed: 90 * time.Second, Results: []rollout.Result{
		{Stack: "destination", Wave: "destination", Status: rollout.StatusSucceeded, Changes: map[string]int{"update": 2}, Duration: 20 * time.Second},
		{Stack: "web", Wave: "canary", Status: rollout.StatusFailed, Error: "the archive does not accept source account 222222222222", Duration: 10 * time.Second},
		{Stack: "data", Wave: "sources", Status: rollout.StatusSucceeded, Changes: map[string]int{"create": 3, "replace": 1}, Duration: 60 * time.Second},
	}}
	assert.True(t, sum.OK(), "one failure within a tolerance of 1")
	assert.Equal(t, 90*time.Second, sum.StackTime())
	var b bytes.Buffer
	require.NoError(t, sum.WriteTable(&b))
	assert.Equal(t, `STACK        WAVE         RESULT  CHANGES (+create ~update ±replace -delete)  DURATION
destination  destination  ok      +0 ~2 ±0 -0                                 20s
web          canary       failed  -                                           10s
data         sources      ok      +3 ~0 ±1 -0                                 1m0s

up passed: 3 stacks (2 ok, 1 failed); 1 failed, tolerance 1; 1m30s elapsed, 1m30s of stack time at concurrency 4

web (failed): the archive does not accept source account 222222222222
`, b.String())

	sum.Results = append(sum.Results, rollout.Result{Stack: "lab", Wave: "sources", Status: rollout.StatusNotStarted})
	assert.False(t, sum.OK(), "a stack that never started fails the rollout")
	sum.Results = sum.Results[:3]
	sum.Failed = 2
	assert.False(t, sum.OK(), "two failures beyond a tolerance of 1")
}

func TestRun_RefusesAWaveOnTheArchive(t *testing.T) {
	// The fixture's .github/stacks.yaml may carry wave: canary for a source, never for the archive.
	dir := testfixture.Project(t)
	file := filepath.Join(dir, ".github", "stacks.yaml")
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(b), "role/log-archive-github-previewer\n", "role/log-archive-github-previewer\n    wave: canary\n", 1)), 0o644))
	_, err = rollout.Run(context.Background(), rollout.Options{Dir: dir, Op: rollout.OpPreview, Stacks: []string{"source"}, Concurrency: 1, Program: noProgram})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `stack "destination": wave "canary": only a source stack may set wave`)
}
