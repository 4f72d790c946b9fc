package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/cistacks"
	"log-archive/internal/plan"
	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

// fleetRepo is a temporary git repository holding the fixture project turned into a fleet of n source
// stacks (10 of them canaries), committed: a change is what the test then writes.
func fleetRepo(t testing.TB, n int) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	require.NoError(t, testfixture.Copy(dir))
	require.NoError(t, testfixture.WriteFleet(dir, n, 10))
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "fleet"}} {
		out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	return dir
}

// planInProcess plans the base with this program instead of compiling the base's own plan tool (what the
// workflow does), as against_test does.
func planInProcess(t testing.TB) {
	saved := planWithOwnCode
	t.Cleanup(func() { planWithOwnCode = saved })
	planWithOwnCode = func(dir string, args ...string) ([]byte, error) {
		if args[0] != "--stack" {
			return nil, fmt.Errorf("only the changed archive is planned at the base, not %v", args)
		}
		p, err := plan.PlanStack(dir, args[1], program.Program)
		if err != nil {
			return nil, err
		}
		return json.Marshal(p)
	}
}

func edit(t testing.TB, dir, file string, f func(string) string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	require.NoError(t, err)
	changed := f(string(b))
	require.NotEqual(t, string(b), changed, file)
	require.NoError(t, os.WriteFile(filepath.Join(dir, file), []byte(changed), 0o644))
}

func reset(t testing.TB, dir string) {
	t.Helper()
	for _, args := range [][]string{{"checkout", "-q", "--", "."}, {"clean", "-qfd"}} {
		out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
}

// checkShards checks GitHub's limits and that every selected stack is in exactly one shard, with its
// account's other stacks, and returns the stacks by name.
func checkShards(t testing.TB, m cistacks.ShardMatrix, seen map[string]string) {
	t.Helper()
	assert.LessOrEqual(t, len(m.Include), cistacks.MaxMatrixJobs, "GH1: at most 256 jobs a matrix")
	accountShard := map[string]string{}
	for _, sh := range m.Include {
		names := strings.Split(sh.Stacks, ",")
		assert.Len(t, names, sh.Count, sh.Shard)
		assert.Len(t, sh.Why, sh.Count, sh.Shard)
		for _, n := range names {
			_, twice := seen[n]
			assert.False(t, twice, "%s is in two shards", n)
			seen[n] = sh.Shard
		}
		for _, a := range sh.Accounts {
			_, split := accountShard[a]
			assert.False(t, split, "account %s is split across shards", a)
			accountShard[a] = sh.Shard
		}
		if len(sh.Accounts) == 1 {
			assert.Equal(t, sh.Accounts[0], sh.Account, "a one-account shard names its account for the job's credentials")
		} else {
			assert.Empty(t, sh.Role, "a shard of several accounts names no role: each stack assumes its own")
		}
	}
}

// The scale test: over 1,200 and 5,000 generated source stacks, --changed-since selects what a
// change affects, every stack at most once, in shards within GitHub's 256-job matrix limit.
func TestMatrix_ChangedSinceAtFleetScale(t *testing.T) {
	planInProcess(t) // once, for both sizes, which run side by side
	for _, n := range []int{1200, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			if n > 1200 && testing.Short() {
				t.Skip("-short")
			}
			t.Parallel()
			dir := fleetRepo(t, n)

			// One source's stack file: that stack, alone, in one shard.
			edit(t, dir, "Pulumi."+testfixture.FleetSource(42)+".yaml", func(s string) string { return strings.Replace(s, "team: security", "team: platform", 1) })
			m, err := matrix(dir, "", "", "HEAD", cistacks.MaxMatrixJobs, io.Discard)
			require.NoError(t, err)
			require.Len(t, m.Include, 1)
			assert.Equal(t, testfixture.FleetSource(42), m.Include[0].Stacks)
			assert.Equal(t, []string{testfixture.FleetSource(42) + ": its stack file Pulumi.src-00042.yaml changed"}, m.Include[0].Why)
			reset(t, dir)

			// The archive's lifecycle: the archive only; its sources read nothing that changed.
			edit(t, dir, "Pulumi.destination.yaml", func(s string) string {
				return strings.Replace(s, "noncurrentExpirationDays: 730", "noncurrentExpirationDays: 800", 1)
			})
			m, err = matrix(dir, "", "", "HEAD", cistacks.MaxMatrixJobs, io.Discard)
			require.NoError(t, err)
			require.Len(t, m.Include, 1)
			assert.Equal(t, "destination", m.Include[0].Stacks)
			reset(t, dir)

			// A Go file: every stack, in each wave's matrix of the deploy, and in the preview's matrices.
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "components"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "components", "new.go"), []byte("package components\n"), 0o644))
			for _, split := range [][2][]string{{{"destination", "canary", "sources"}, nil}, {nil, {"destination", "source"}}} {
				seen := map[string]string{}
				for _, wave := range split[0] {
					m, err := matrix(dir, "", wave, "HEAD", cistacks.MaxMatrixJobs, io.Discard)
					require.NoError(t, err)
					checkShards(t, m, seen)
				}
				for _, kind := range split[1] {
					m, err := matrix(dir, kind, "", "HEAD", cistacks.MaxMatrixJobs, io.Discard)
					require.NoError(t, err)
					checkShards(t, m, seen)
				}
				assert.Len(t, seen, n+1, "every stack exactly once")
			}
		})
	}
}

// The workflows' own `plan matrix` commands, run over 1,200 generated stacks with a change to the
// program: no matrix over 256 jobs, and each workflow's matrices together hold every stack once.
func TestWorkflows_MatricesFitGitHubAt1200Stacks(t *testing.T) {
	t.Parallel() // it plans nothing, so it never reads planWithOwnCode, which other tests replace
	dir := fleetRepo(t, 1200)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "components"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "components", "new.go"), []byte("package components\n"), 0o644))
	command := regexp.MustCompile(`go run \./cmd/plan matrix ([^)\n]*)\)`)
	files, err := filepath.Glob(filepath.Join(testfixture.Root(), ".github", "workflows", "*.yml"))
	require.NoError(t, err)
	checked := 0
	for _, f := range files {
		text, err := os.ReadFile(f)
		require.NoError(t, err)
		calls := command.FindAllStringSubmatch(string(text), -1)
		if len(calls) == 0 {
			continue
		}
		checked++
		seen := map[string]string{}
		for _, c := range calls {
			// The workflows' revisions ($BEFORE, HEAD^1) are the commit before the change: HEAD here.
			args := strings.Fields(strings.NewReplacer(`"${since[@]}"`, "--changed-since HEAD", "HEAD^1", "HEAD").Replace(c[1]))
			var out, errOut bytes.Buffer
			require.Equal(t, 0, run(append(append([]string{"matrix"}, args...), "--dir", dir), &out, &errOut), "%s: %s", filepath.Base(f), errOut.String())
			var m cistacks.ShardMatrix
			require.NoError(t, json.Unmarshal(out.Bytes(), &m))
			checkShards(t, m, seen)
			assert.Less(t, out.Len(), 1<<20, "a job's outputs hold at most 1 MB")
		}
		assert.Len(t, seen, 1201, "%s: every stack once", filepath.Base(f))
	}
	assert.Equal(t, 2, checked, "pr-preview.yml and deploy.yml")
}

func BenchmarkMatrixChangedSince(b *testing.B) {
	for _, n := range []int{1200, 5000} {
		b.Run(fmt.Sprintf("%d-stacks-one-file", n), func(b *testing.B) {
			dir := fleetRepo(b, n)
			edit(b, dir, "Pulumi."+testfixture.FleetSource(7)+".yaml", func(s string) string { return strings.Replace(s, "team: security", "team: platform", 1) })
			for b.Loop() {
				if _, err := matrix(dir, "", "", "HEAD", cistacks.MaxMatrixJobs, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%d-stacks-go-change", n), func(b *testing.B) {
			dir := fleetRepo(b, n)
			require.NoError(b, os.MkdirAll(filepath.Join(dir, "components"), 0o755))
			require.NoError(b, os.WriteFile(filepath.Join(dir, "components", "new.go"), []byte("package components\n"), 0o644))
			for b.Loop() {
				if _, err := matrix(dir, "source", "", "HEAD", cistacks.MaxMatrixJobs, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestMatrix_RefusesBadFlags(t *testing.T) {
	dir := fleetRepo(t, 2)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--wave", "first"}, 2, `unknown wave "first"; give destination, canary, sources, or leave --wave out`},
		{[]string{"--kind", "archive"}, 2, `unknown kind "archive"; give destination or source`},
		{[]string{"--max-jobs", "0"}, 2, "--max-jobs 0: give 1 to 256"},
		{[]string{"--max-jobs", "257"}, 2, "--max-jobs 257: give 1 to 256"},
		{[]string{"--changed-since", "no-such-branch"}, 1, "plan matrix: no merge base of no-such-branch and HEAD"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, tt.code, run(append(append([]string{"matrix"}, tt.args...), "--dir", dir), &stdout, &stderr), "%v", tt.args)
		assert.Contains(t, stderr.String(), tt.want, "%v", tt.args)
		assert.Empty(t, stdout.String(), "%v: no matrix, so no job runs on a partial one", tt.args)
	}
}

// --max-jobs bounds the shards; each shard keeps whole accounts, and the canary wave is its own matrix.
func TestMatrix_ShardsAndWaves(t *testing.T) {
	dir := fleetRepo(t, 30)
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"matrix", "--wave", "sources", "--max-jobs", "4", "--dir", dir}, &stdout, &stderr), stderr.String())
	var m cistacks.ShardMatrix
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &m))
	require.Len(t, m.Include, 4)
	seen := map[string]string{}
	checkShards(t, m, seen)
	assert.Len(t, seen, 20, "30 sources, 10 of them canaries")
	for i, sh := range m.Include {
		assert.Equal(t, fmt.Sprintf("sources-%03d", i+1), sh.Shard)
		assert.Equal(t, "deploy-sources", sh.Environment)
		assert.Contains(t, []int{5}, sh.Count, "20 one-account stacks in 4 shards")
	}
	stdout.Reset()
	require.Equal(t, 0, run([]string{"matrix", "--wave", "canary", "--dir", dir}, &stdout, &stderr), stderr.String())
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &m))
	require.Len(t, m.Include, 10, "one shard per canary account")
	assert.Equal(t, "deploy-canary", m.Include[0].Environment)
	assert.Equal(t, testfixture.FleetAccount(1), m.Include[0].Account)
	assert.Equal(t, "arn:aws:iam::"+testfixture.FleetAccount(1)+":role/log-archive-github-deployer", m.Include[0].Role)
}
