package plan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
	"log-archive/internal/stackconfig"
	"log-archive/internal/testfixture"
)

// projectWith writes the repository's Pulumi.yaml and one stack file into a temporary project.
func projectWith(t *testing.T, stack, body string) string {
	t.Helper()
	project, err := os.ReadFile(filepath.Join(testfixture.Root(), "Pulumi.yaml"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi."+stack+".yaml"), []byte(body), 0o644))
	return dir
}

// The offline plan loads a stack as the Pulumi CLI does before `pulumi up`: declared defaults merged in,
// so the program sees the configuration it will see under the CLI.
func TestLoadStack_MergesDeclaredDefaultsLikeTheCLI(t *testing.T) {
	dir := projectWith(t, "destination", "config:\n  log-archive:stackKind: destination\n  log-archive:keyAlias: alias/audit\n")
	s, err := plan.LoadStack(dir, "destination")
	require.NoError(t, err)
	assert.Equal(t, "alias/audit", s.Config[stackconfig.KeyKeyAlias], "a value the stack sets wins")
	assert.Equal(t, "true", s.Config[stackconfig.KeyReplicationMetrics])
	assert.Equal(t, "[]", s.Config[stackconfig.KeySourceBuckets])
	assert.Equal(t, "{}", s.Config[stackconfig.KeyObjectLock])
	assert.Equal(t, "", s.Config[stackconfig.KeyArchiveAccountID])
	for key := range stackconfig.Declarations {
		assert.Contains(t, s.Config, key, "every declared key reaches the program")
	}
}

// What the CLI refuses before the program starts, the offline plan refuses too, naming file, key, value
// and fix, every problem at once.
func TestLoadStack_RefusesWhatTheCLIRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"stack kind missing", "config:\n  aws:region: eu-west-1\n",
			[]string{"Pulumi.s.yaml: log-archive:stackKind is not set: is required in every stack", "Fix: set it in Pulumi.s.yaml"}},
		{"string where a list belongs", "config:\n  log-archive:stackKind: destination\n  log-archive:sourceAccountIds: \"222222222222\"\n",
			[]string{"log-archive:sourceAccountIds = 222222222222: is not of the type Pulumi.yaml declares, array<string>", "Fix: write a YAML list of strings"}},
		{"unquoted account ID", "config:\n  log-archive:stackKind: destination\n  log-archive:sourceAccountIds:\n    - 012345678901\n",
			[]string{"log-archive:sourceAccountIds = [12345678901]", "Fix: quote every item", "drops a leading zero"}},
		{"word where a boolean belongs", "config:\n  log-archive:stackKind: source\n  log-archive:replicationTimeControl: \"yes\"\n",
			[]string{"log-archive:replicationTimeControl = yes: is not of the type Pulumi.yaml declares, boolean", "Fix: write true or false"}},
		{"list where an object belongs", "config:\n  log-archive:stackKind: destination\n  log-archive:objectLock: [GOVERNANCE, 30]\n",
			[]string{"log-archive:objectLock", "declares, object", "Fix: write a YAML mapping"}},
		{"string items where objects belong", "config:\n  log-archive:stackKind: source\n  log-archive:sourceBuckets: [a, b]\n",
			[]string{"log-archive:sourceBuckets", "declares, array<object>"}},
		{"two problems at once", "config:\n  log-archive:tags: [a]\n  log-archive:acceptCloudTrail: maybe\n",
			[]string{"3 problems", "log-archive:stackKind", "log-archive:tags", "log-archive:acceptCloudTrail"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := plan.LoadStack(projectWith(t, "s", tc.body), "s")
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.False(t, strings.Contains(err.Error(), "interface"), "no Go types in the message: %v", err)
		})
	}
}

// A stack file that is not YAML is named, with the fix for the usual causes.
func TestLoadStack_YAMLErrorsNameTheFile(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"duplicate key", "config:\n  log-archive:stackKind: destination\n  log-archive:stackKind: source\n", "write each key once"},
		{"tab", "config:\n\tlog-archive:stackKind: destination\n", "indent with spaces: YAML does not allow tabs"},
		{"unclosed list", "config:\n  log-archive:sourceAccountIds: [\"222222222222\"\n", "check the line it names"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := plan.LoadStack(projectWith(t, "broken", tc.body), "broken")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Pulumi.broken.yaml is not valid YAML (")
			assert.Contains(t, err.Error(), "Fix: "+tc.want)
		})
	}
}
