package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
)

// A branch adds an untracked stack file while main, after the branch was cut, adds another: the review
// against main shows the branch's new stack, and not main's as removed. The working tree, index and stash
// are left as they were.
func TestDiffAgainst_UsesTheMergeBaseAndUntrackedStackFiles(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	// Plan the base in process: compiling the base's own plan tool is what the workflow does, and slow.
	saved := planWithOwnCode
	t.Cleanup(func() { planWithOwnCode = saved })
	planWithOwnCode = func(dir string, _ ...string) ([]byte, error) {
		names, err := plan.StackNames(dir)
		if err != nil {
			return nil, err
		}
		plans, err := planStacks(dir, names)
		if err != nil {
			return nil, err
		}
		return json.Marshal(plan.Stacks{Stacks: plans})
	}

	repo := t.TempDir()
	sh := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
		return string(out)
	}
	copyFile := func(from, to string) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(root, from))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(repo, to), b, 0o600))
	}
	sh("init", "-q", "-b", "main")
	for _, f := range []string{"Pulumi.yaml", "Pulumi.destination.yaml", "Pulumi.source.yaml"} {
		copyFile(f, f)
	}
	sh("add", ".")
	sh("commit", "-q", "-m", "base")
	sh("branch", "feature")
	copyFile("Pulumi.source.yaml", "Pulumi.added-on-main.yaml")
	sh("add", ".")
	sh("commit", "-q", "-m", "main moves on")
	sh("checkout", "-q", "feature")
	copyFile("Pulumi.source.yaml", "Pulumi.workload-b.yaml") // untracked
	statusBefore := sh("status", "--porcelain")

	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"diff", "--against", "main", "--dir", repo}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "#### `workload-b`: new stack")
	assert.NotContains(t, out.String(), "added-on-main", "main's later stack is not this branch's change")
	assert.Contains(t, out.String(), "#### `destination`: no changes")

	assert.Equal(t, statusBefore, sh("status", "--porcelain"))
	assert.Equal(t, 1, strings.Count(sh("worktree", "list"), "\n"), "the temporary worktree is removed")
}
