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
)

// These tests check the properties of .github/workflows that actionlint cannot: which role each job
// assumes, in which environment, against which base the offline plan runs, and that no failure hides.

type workflow struct {
	On          map[string]any `yaml:"on"`
	Concurrency any            `yaml:"concurrency"`
	Jobs        map[string]job `yaml:"jobs"`
}

func (w workflow) triggeredBy(event string) bool {
	_, ok := w.On[event]
	return ok
}

type job struct {
	If          string   `yaml:"if"`
	Needs       any      `yaml:"needs"`
	Environment string   `yaml:"environment"`
	Strategy    strategy `yaml:"strategy"`
	Steps       []step   `yaml:"steps"`
}

type strategy struct {
	FailFast    *bool  `yaml:"fail-fast"`
	MaxParallel int    `yaml:"max-parallel"`
	Matrix      string `yaml:"matrix"`
}

// runs is the job's steps whose script contains text.
func (j job) runs(text string) []step {
	return j.steps(func(s step) bool { return strings.Contains(s.Run, text) })
}

func (j job) steps(keep func(step) bool) []step {
	var out []step
	for _, s := range j.Steps {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

func (j job) stepNamed(name string) step {
	for _, s := range j.Steps {
		if s.Name == name {
			return s
		}
	}
	return step{}
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
	return j.steps(func(s step) bool { return strings.HasPrefix(s.Uses, prefix) })
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

// The preview runs before any review, on code a branch pusher wrote: no job of a pull-request workflow may
// reach a deploy environment (and so its secrets), a deploy role, a Pulumi credential other than the
// read-only preview one, or an organization-wide Pulumi token.
func TestWorkflows_PreviewJobsHoldNoWriteCredential(t *testing.T) {
	allowed := []string{"PULUMI_PREVIEW_ACCESS_TOKEN", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "GITHUB_TOKEN"}
	secretRef := regexp.MustCompile(`secrets\.(\w+)`)
	checked := 0
	for file, w := range allWorkflows(t) {
		raw, err := os.ReadFile(filepath.Join(repoRoot(), ".github", "workflows", file))
		require.NoError(t, err)
		if !w.triggeredBy("pull_request") && !w.triggeredBy("pull_request_target") && !w.triggeredBy("workflow_run") {
			continue
		}
		checked++
		for _, m := range secretRef.FindAllStringSubmatch(string(raw), -1) {
			assert.Contains(t, allowed, m[1], "%s: a pull-request workflow reads the secret %s", file, m[1])
		}
		assert.NotContains(t, string(raw), "matrix.role", "%s: a deploy role", file)
		assert.NotContains(t, string(raw), "log-archive-github-deployer", "%s: a deploy role", file)
		assert.NotContains(t, string(raw), "--assume-role deploy", "%s: a deploy role", file)
		assert.NotContains(t, string(raw), "access_token:organization", "%s: an organization token can write every stack", file)
		for name, j := range w.Jobs {
			assert.Empty(t, j.Environment, "%s %s: a deploy environment's secrets", file, name)
			for _, s := range j.uses("aws-actions/configure-aws-credentials@") {
				assert.Equal(t, "${{ matrix.previewRole }}", s.With["role-to-assume"], "%s %s", file, name)
			}
			for _, s := range j.uses("pulumi/auth-actions@") {
				assert.Equal(t, "urn:pulumi:token-type:access_token:team", s.With["requested-token-type"], "%s %s", file, name)
				assert.Equal(t, "team:${{ vars.PULUMI_PREVIEW_TEAM }}", s.With["scope"], "%s %s: the team with stack read only", file, name)
			}
			for _, s := range j.Steps {
				if strings.Contains(s.Run, "cmd/fleet rollout ") {
					assert.Contains(t, s.Run, "--op preview", "%s %s", file, name)
					assert.NotContains(t, s.Run, "--op up", "%s %s", file, name)
				}
			}
		}
	}
	assert.Equal(t, 3, checked, "pr-preview, pr-offline-plan, pr-offline-plan-comment and no other pull-request workflow")
}

// Each deploy wave is its GitHub environment, in order, behind the preflight; the sources run as their
// own accounts' deploy roles, the archive as its own; no stack is created by upsert.
func TestWorkflows_DeployRunsTheWavesInOrderBehindThePreflight(t *testing.T) {
	w := loadWorkflow(t, "deploy.yml")
	assert.True(t, w.triggeredBy("push"))
	waves := []string{"destination", "canary", "sources"}
	for i, name := range waves {
		j, ok := w.Jobs[name]
		require.True(t, ok, name)
		assert.Equal(t, cistacks.DeployEnvironments[i], j.Environment, name)
		assert.Contains(t, j.Needs, "preflight", name)
		for _, earlier := range waves[:i] {
			assert.Contains(t, j.Needs, earlier, "%s waits for %s", name, earlier)
		}
		assert.Equal(t, cistacks.DefaultMaxParallel, j.Strategy.MaxParallel, name)
		assert.Equal(t, "${{ fromJSON(needs.select.outputs."+name+") }}", j.Strategy.Matrix, name)
		rollout := j.runs("cmd/fleet rollout ")
		require.Len(t, rollout, 1, name)
		assert.Contains(t, rollout[0].Run, "--op up", name)
		assert.Contains(t, rollout[0].Run, `${SINCE:+--new-since "$SINCE"}`, "%s: only a stack file new in the push creates a stack", name)
		for _, s := range j.uses("pulumi/actions@") {
			assert.Empty(t, s.With["command"], "%s: pulumi/actions only installs the CLI; upsert would create a missing stack", name)
		}
		if name == "destination" {
			creds := j.uses("aws-actions/configure-aws-credentials@")
			require.Len(t, creds, 1)
			assert.Equal(t, "${{ matrix.role }}", creds[0].With["role-to-assume"])
			assert.Equal(t, "${{ matrix.account }}", creds[0].With["allowed-account-ids"])
		} else {
			assert.Empty(t, j.uses("aws-actions/configure-aws-credentials@"), "%s: the job holds no AWS credential", name)
			assert.Contains(t, rollout[0].Run, "--assume-role deploy", name)
		}
	}
	pre := w.Jobs["preflight"]
	require.Len(t, pre.runs("cmd/fleet rollout-preflight"), 1)
	assert.Empty(t, pre.Environment)
	matrices := w.Jobs["select"].runs("cmd/plan matrix")
	require.Len(t, matrices, 1)
	for _, wave := range waves {
		assert.Contains(t, matrices[0].Run, "go run ./cmd/plan matrix --wave "+wave+` "${since[@]}"`)
	}
}

// IAM Access Analyzer checks the archive's planned policies with the job's archive-account
// credentials, before the archive is previewed and before it is deployed.
func TestWorkflows_ArchivePublicAccessCheckComesFirst(t *testing.T) {
	for _, c := range []struct{ file, job string }{{"pr-preview.yml", "preview-archive"}, {"deploy.yml", "destination"}} {
		j := loadWorkflow(t, c.file).Jobs[c.job]
		creds, check, rollout := -1, -1, -1
		for i, s := range j.Steps {
			switch {
			case strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@"):
				creds = i
			case strings.Contains(s.Run, `go run ./cmd/plan check-public-access --stack "$stack"`):
				check = i
			case strings.Contains(s.Run, "cmd/fleet rollout "):
				rollout = i
			}
		}
		require.True(t, creds >= 0 && check >= 0 && rollout >= 0, "%s %s", c.file, c.job)
		assert.Less(t, creds, check, "%s %s: with the archive account's credentials", c.file, c.job)
		assert.Less(t, check, rollout, "%s %s: before the archive's preview or deploy", c.file, c.job)
		assert.Equal(t, "${{ matrix.stacks }}", j.stepNamed("Check that the archive's policies grant no public access").Env["STACKS"])
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

// The Pulumi CLI the workflows install (.github/pulumi.version) is the release of the Pulumi Go SDK the
// program is built with (go.mod), so the CLI that runs the program in CI is the one it was written for.
func TestWorkflows_PulumiCLIIsTheSDKsRelease(t *testing.T) {
	version, err := os.ReadFile(filepath.Join(repoRoot(), ".github", "pulumi.version"))
	require.NoError(t, err)
	mod, err := os.ReadFile(filepath.Join(repoRoot(), "go.mod"))
	require.NoError(t, err)
	sdk := regexp.MustCompile(`(?m)^\s*github\.com/pulumi/pulumi/sdk/v3 v(\S+)`).FindSubmatch(mod)
	require.NotNil(t, sdk, "go.mod requires github.com/pulumi/pulumi/sdk/v3")
	assert.Equal(t, string(sdk[1]), strings.TrimSpace(string(version)),
		".github/pulumi.version must be the release of github.com/pulumi/pulumi/sdk/v3 in go.mod")
}
