//go:build engine

package enginetest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/onboard"
	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

// Through the real CLI and engine: stack files onboard generates pass the CLI's own config
// validation and deploy, after the archive they update admits the accounts; `pulumi stack init` then
// writes encryptionsalt into each, and onboarding again changes no byte nor finds anything to fix.
func TestEngine_OnboardedStacksDeploy(t *testing.T) {
	ctx := t.Context()
	env := NewEnv(t)
	github, err := os.ReadFile(filepath.Join(testfixture.Root(), "testdata", "stacks", "github-stacks.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(env.WorkDir, ".github"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(env.WorkDir, ".github", "stacks.yaml"), github, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(env.WorkDir, onboard.FleetFile), []byte(testfixture.Fleet()), 0o644))
	in, err := onboard.ReadAccounts("accounts.csv", []byte("account,stack,region\n444444444444,workload-b,\n555555555555,workload-c,eu-central-1\n"))
	require.NoError(t, err)
	onboardOnce := func() *onboard.Result {
		res, err := onboard.Onboard(onboard.Options{Dir: env.WorkDir, Input: in, Program: program.Program})
		require.NoError(t, err)
		require.NoError(t, res.Write(env.WorkDir))
		return res
	}
	assert.Equal(t, "2 created, 3 updated", onboardOnce().Summary())

	env.Up(ctx, env.Stack(ctx, "destination"))
	for _, tc := range []struct{ stack, bucket string }{
		{"workload-b", "acme-444444444444-logs-eu-west-1"},
		{"workload-c", "acme-555555555555-logs-eu-central-1"},
	} {
		up := env.Up(ctx, env.Stack(ctx, tc.stack))
		assert.Contains(t, up.Outputs["bucketRegions"].Value, tc.bucket)
		assert.NotNil(t, Find(env.Records(), typeBucket, tc.bucket), "the log bucket %s exists", tc.bucket)
	}

	generated, err := os.ReadFile(filepath.Join(env.WorkDir, "Pulumi.workload-b.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(generated), "\nencryptionsalt: ", "stack init salted the generated file")
	assert.Empty(t, onboardOnce().Changes, "onboarding again keeps the salt and changes nothing")
	findings, err := onboard.Check(env.WorkDir)
	require.NoError(t, err)
	for _, f := range findings {
		assert.False(t, f.Problem, f.String())
	}
}
