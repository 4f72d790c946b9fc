package cistacks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// The fleet-health workflow is read-only: it runs daily and on demand in the fleet-health environment,
// assumes only previewer roles (through the OIDC token that environment gets), runs fleet verify and the
// drift check, and only its issue job may write, and only issues.
func TestWorkflows_FleetHealthIsReadOnlyAndKeepsOneIssue(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(), ".github", "workflows", "fleet-health.yml"))
	require.NoError(t, err)
	var w struct {
		On          map[string]any `yaml:"on"`
		Permissions map[string]any `yaml:"permissions"`
		Jobs        map[string]struct {
			Environment string            `yaml:"environment"`
			Permissions map[string]string `yaml:"permissions"`
			Steps       []step            `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(b, &w))
	assert.Contains(t, w.On, "schedule")
	assert.Contains(t, w.On, "workflow_dispatch")
	assert.Empty(t, w.Permissions, "nothing by default")

	check := w.Jobs["check"]
	assert.Equal(t, "fleet-health", check.Environment)
	assert.Equal(t, map[string]string{"contents": "read", "id-token": "write"}, check.Permissions)
	var scripts string
	for _, s := range check.Steps {
		scripts += s.Run + "\n"
		assert.False(t, strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@"), "no deploy or single-account role")
		if strings.HasPrefix(s.Uses, "pulumi/actions@") {
			assert.Empty(t, s.With["command"], "the CLI is installed, never run as up")
		}
	}
	assert.Contains(t, scripts, "go run ./cmd/fleet verify ")
	assert.Contains(t, scripts, "--web-identity-token-file")
	assert.NotContains(t, scripts, "--canary", "read-only: no canary is written")
	assert.NotContains(t, scripts, "--role-name", "each stack's previewRole")
	// --refresh: a preview that only compares the code with the state cannot see what changed in AWS.
	assert.Contains(t, scripts, "go run ./cmd/fleet rollout --op preview --all --assume-role preview --refresh --expect-no-changes")

	issue := w.Jobs["issue"]
	assert.Equal(t, map[string]string{"issues": "write"}, issue.Permissions)
	var issueScript string
	for _, s := range issue.Steps {
		issueScript += s.Run
	}
	for _, want := range []string{"gh issue list --label fleet-health --state open", "gh issue create", "gh issue edit", "gh issue close"} {
		assert.Contains(t, issueScript, want)
	}
}
