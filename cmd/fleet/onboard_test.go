package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/testfixture"
)

func fleetDir(t *testing.T) string {
	dir := testfixture.Project(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "fleet.yaml"), []byte(testfixture.Fleet()), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "accounts.csv"), []byte("account,stack\n444444444444,workload-b\n"), 0o644))
	return dir
}

func runFleet(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestOnboardCommand(t *testing.T) {
	dir := fleetDir(t)
	csv := filepath.Join(dir, "accounts.csv")

	code, out, errOut := runFleet("onboard", "--dir", dir, "--accounts", csv, "--dry-run")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "create Pulumi.workload-b.yaml\n--- /dev/null\n+++ b/Pulumi.workload-b.yaml\n")
	assert.Contains(t, out, "+    - \"444444444444\"\n")
	assert.Contains(t, out, "dry run: 1 created, 3 updated would be written (2 stacks planned offline and .github/stacks.yaml checked); nothing was written\n")
	_, err := os.Stat(filepath.Join(dir, "Pulumi.workload-b.yaml"))
	assert.True(t, os.IsNotExist(err), "--dry-run writes nothing")

	code, out, errOut = runFleet("onboard", "--dir", dir, "--accounts", csv, "--canary", "workload-b")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "1 created, 3 updated (2 stacks planned offline and .github/stacks.yaml checked).")

	code, out, _ = runFleet("onboard", "--dir", dir, "--accounts", csv)
	assert.Equal(t, 0, code)
	assert.Equal(t, "note: nothing to change: every file already matches fleet.yaml\n", out)

	code, out, _ = runFleet("check", "--dir", dir)
	assert.Equal(t, 0, code, out)
	code, out, _ = runFleet("check", "--dir", dir, "--strict")
	assert.Equal(t, 1, code, "the fixture archive admits 333333333333 without a stack: a notice, failing with --strict")
	assert.Contains(t, out, "notice: Pulumi.destination.yaml: admits account 333333333333")

	code, _, errOut = runFleet("offboard", "--dir", dir, "--stack", "workload-b")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "  pulumi destroy --stack workload-b\nthen run this command again with --destroyed. Nothing was written.")
	code, out, errOut = runFleet("offboard", "--dir", dir, "--stack", "workload-b", "--destroyed")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "delete Pulumi.workload-b.yaml\n")
	assert.Contains(t, out, "No bucket, key or archived object was deleted.")
}

func TestOnboardCommand_Errors(t *testing.T) {
	dir := fleetDir(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"both inputs", []string{"onboard", "--accounts", "a.csv", "--ou", "ou-ab12-11111111"}, 2, "give --accounts or --ou, not both"},
		{"recursive without an OU", []string{"onboard", "--recursive"}, 2, "--recursive goes with --ou"},
		{"an argument", []string{"onboard", "accounts.csv"}, 2, `unexpected argument "accounts.csv"`},
		{"a bad account list", []string{"onboard", "--dir", dir, "--accounts", filepath.Join(dir, "Pulumi.source.yaml")}, 1, "give a .csv or .json account list"},
		{"no fleet.yaml", []string{"onboard", "--dir", testfixture.Project(t)}, 1, "fleet.yaml: no such file; create it with the fleet's defaults (docs/onboarding.md"},
		{"offboard without a stack", []string{"offboard"}, 2, "give --stack STACK"},
		{"bootstrap without a repository", []string{"bootstrap-template", "--dir", dir, "--ou", "ou-ab12-11111111", "--region", "eu-west-1"}, 2, `--repo "" is not OWNER/REPO`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runFleet(tc.args...)
			assert.Equal(t, tc.code, code)
			assert.Contains(t, errOut, tc.want)
		})
	}
}

func TestBootstrapTemplateCommand(t *testing.T) {
	dir := fleetDir(t)
	code, out, errOut := runFleet("bootstrap-template", "--dir", dir, "--repo", "acme/log-archive", "--ou", "ou-ab12-11111111", "--region", "eu-west-1")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"Type": "AWS::CloudFormation::StackSet"`)
	assert.Contains(t, out, `"PermissionModel": "SERVICE_MANAGED"`)
	code, out, errOut = runFleet("bootstrap-template", "--dir", dir, "--repo", "acme/log-archive", "--member")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"Type": "AWS::IAM::OIDCProvider"`)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "fleet.yaml"), []byte(`destinationStack: organization/log-archive/destination
region: eu-west-1
logBucket: {name: "acme-{stack}-logs", services: [vpc-flow-logs]}
accounts: []
`), 0o644))
	code, _, errOut = runFleet("bootstrap-template", "--dir", dir, "--repo", "acme/log-archive", "--member")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "use {account} in logBucket.name")
}
