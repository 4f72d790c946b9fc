package cistacks_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"log-archive/internal/cistacks"
	"log-archive/internal/plan"
	"log-archive/internal/program"
)

// These tests check the properties of .github/workflows that actionlint cannot: which role each job
// assumes, in which environment, against which base the offline plan runs, and that no failure hides.

type workflow struct {
	Concurrency any            `yaml:"concurrency"`
	Jobs        map[string]job `yaml:"jobs"`
}

type job struct {
	If          string `yaml:"if"`
	Needs       any    `yaml:"needs"`
	Environment string `yaml:"environment"`
	Steps       []step `yaml:"steps"`
}

type step struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

func loadWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(), ".github", "workflows", name))
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(b, &w), name)
	return w
}

func allWorkflows(t *testing.T) map[string]workflow {
	files, err := filepath.Glob(filepath.Join(repoRoot(), ".github", "workflows", "*.yml"))
	require.NoError(t, err)
	out := map[string]workflow{}
	for _, f := range files {
		out[filepath.Base(f)] = loadWorkflow(t, filepath.Base(f))
	}
	require.NotEmpty(t, out)
	return out
}

func (j job) uses(prefix string) []step {
	var out []step
	for _, s := range j.Steps {
		if strings.HasPrefix(s.Uses, prefix) {
			out = append(out, s)
		}
	}
	return out
}

func TestWorkflows_OfflinePlanComparesTheMergeCommitWithItsFirstParent(t *testing.T) {
	j := loadWorkflow(t, "pr-offline-plan.yml").Jobs["plan-diff"]
	checkout := j.uses("actions/checkout@")
	require.Len(t, checkout, 1, "one checkout: the merge commit; the base is a worktree of its first parent")
	assert.NotContains(t, checkout[0].With, "ref", "the default ref of a pull_request run is the merge commit")
	assert.Equal(t, "2", checkout[0].With["fetch-depth"], "both parents of the merge commit")
	var scripts string
	for _, s := range j.Steps {
		scripts += s.Run
	}
	assert.Contains(t, scripts, "base=$(git rev-parse HEAD^1)")
	assert.Contains(t, scripts, `git worktree add --detach ../base "$base"`)

	var review step
	for _, s := range j.Steps {
		if s.Name == "Write the review text" {
			review = s
		}
	}
	assert.Equal(t, "${{ !cancelled() }}", review.If, "a comment is written even when planning the head failed")
	assert.Contains(t, review.Run, "(cd base && go run ./cmd/plan diff --base ../base.json --head-error ../head-error.txt --rendered-by-base", "a head that does not build is reported by the base's code")
	upload := j.uses("actions/upload-artifact@")
	require.Len(t, upload, 1)
	assert.Equal(t, "${{ !cancelled() }}", upload[0].If)
}

func TestWorkflows_CommentIsSizeCappedAndEditsOnlyItsOwn(t *testing.T) {
	w := loadWorkflow(t, "pr-offline-plan-comment.yml")
	assert.NotNil(t, w.Concurrency, "one run at a time per pull request")
	steps := w.Jobs["comment"].Steps
	require.GreaterOrEqual(t, len(steps), 3)
	assert.Contains(t, steps[0].With["script"], "size_in_bytes", "the artifact's size is checked before it is downloaded")
	assert.True(t, strings.HasPrefix(steps[1].Uses, "actions/download-artifact@"))
	script := steps[2].With["script"]
	assert.Contains(t, script, "stat.size > maxFile", "each file's size is checked before it is read")
	assert.Contains(t, script, "const author = 'github-actions[bot]'")
	assert.Contains(t, script, "c.user.login === author", "another bot's comment with the marker is not ours")
	assert.Contains(t, script, plan.CommentMarker)
}

func TestWorkflows_PreviewsAreReadOnlyAndDeploysNeedTheirEnvironment(t *testing.T) {
	preview := loadWorkflow(t, "pr-preview.yml").Jobs["preview"]
	creds := preview.uses("aws-actions/configure-aws-credentials@")
	require.Len(t, creds, 1)
	assert.Equal(t, "${{ matrix.previewRole }}", creds[0].With["role-to-assume"])
	assert.Empty(t, preview.Environment)

	deploy := loadWorkflow(t, "deploy.yml")
	for _, name := range []string{"destination", "sources"} {
		j := deploy.Jobs[name]
		assert.Equal(t, "deploy-${{ matrix.stack }}", j.Environment, name)
		creds := j.uses("aws-actions/configure-aws-credentials@")
		require.Len(t, creds, 1, name)
		assert.Equal(t, "${{ matrix.role }}", creds[0].With["role-to-assume"], name)
		up := j.uses("pulumi/actions@")
		require.Len(t, up, 1, name)
		assert.Equal(t, "up", up[0].With["command"], name)
		assert.Equal(t, "true", up[0].With["upsert"], "%s: a new stack is created on its first deploy", name)
		assert.Equal(t, "true", up[0].With["comment-on-summary"], "%s: the job summary shows the update", name)
	}
	assert.Contains(t, deploy.Jobs["sources"].Needs, "destination", "the archive deploys first")
}

// The preview asks the deployed archive for this output to decide whether a new source stack can be
// previewed yet; the destination program must export it.
func TestWorkflows_PreviewReadsAnOutputTheArchiveExports(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(), ".github", "workflows", "pr-preview.yml"))
	require.NoError(t, err)
	m := regexp.MustCompile(`pulumi stack output (\w+) --json`).FindStringSubmatch(string(b))
	require.NotNil(t, m)
	stacks, err := cistacks.Load(repoRoot())
	require.NoError(t, err)
	for _, s := range cistacks.ForKind(stacks, "destination").Include {
		p, err := plan.PlanStack(repoRoot(), s.Stack, program.Program)
		require.NoError(t, err)
		assert.Contains(t, p.Outputs, m[1], s.Stack)
	}
}

func TestWorkflows_PulumiIsPinnedAndLogsInByTokenOrOIDC(t *testing.T) {
	version, err := os.ReadFile(filepath.Join(repoRoot(), ".github", "pulumi.version"))
	require.NoError(t, err)
	gomod, err := os.ReadFile(filepath.Join(repoRoot(), "go.mod"))
	require.NoError(t, err)
	sdk := regexp.MustCompile(`github.com/pulumi/pulumi/sdk/v3 v(\S+)`).FindSubmatch(gomod)
	require.NotNil(t, sdk)
	assert.Equal(t, string(sdk[1]), strings.TrimSpace(string(version)), "the CLI is the release of the SDK the program uses")
	for file, w := range allWorkflows(t) {
		for name, j := range w.Jobs {
			for _, s := range j.uses("pulumi/actions@") {
				assert.Equal(t, ".github/pulumi.version", s.With["pulumi-version-file"], "%s %s", file, name)
				if s.With["command"] != "" {
					assert.Equal(t, "${{ steps.pulumi-oidc.outputs.pulumi-access-token || secrets.PULUMI_ACCESS_TOKEN }}", s.Env["PULUMI_ACCESS_TOKEN"], "%s %s", file, name)
					assert.Len(t, j.uses("pulumi/auth-actions@"), 1, "%s %s: OIDC login as an option", file, name)
				}
			}
		}
	}
}

// `echo "x=$(cmd)"` succeeds when cmd fails. A command substitution is assigned to a variable first, in a
// script that stops on the first failure.
func TestWorkflows_NoHiddenFailures(t *testing.T) {
	echoed := regexp.MustCompile(`(echo|printf)[^\n]*\$\(`)
	for file, w := range allWorkflows(t) {
		for name, j := range w.Jobs {
			for _, s := range j.Steps {
				if !strings.Contains(s.Run, "$(") {
					continue
				}
				assert.False(t, echoed.MatchString(s.Run), "%s %s: command substitution inside echo or printf: %s", file, name, s.Run)
				assert.True(t, strings.HasPrefix(s.Run, "set -euo pipefail\n"), "%s %s: a script with $(...) starts with set -euo pipefail", file, name)
			}
		}
	}
}
