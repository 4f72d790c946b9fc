package cistacks_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/cistacks"
	"log-archive/internal/plan"
)

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

const fixture = "testdata/project"

// The repository's own mapping: whatever accounts and stacks it holds, every stack file has one valid entry.
func TestLoad_RepositoryMappingCoversEveryStackFile(t *testing.T) {
	stacks, err := cistacks.Load(repoRoot())
	require.NoError(t, err)
	names, err := plan.StackNames(repoRoot())
	require.NoError(t, err)
	var got []string
	for _, s := range stacks {
		got = append(got, s.Stack)
	}
	assert.Equal(t, names, got)
	all := ofKind(stacks, "")
	assert.Len(t, all, len(names))
	assert.Len(t, all, len(ofKind(stacks, "destination"))+len(ofKind(stacks, "source")))
}

func TestLoad_Fixture(t *testing.T) {
	stacks, err := cistacks.Load(fixture)
	require.NoError(t, err)
	assert.Equal(t, []cistacks.Stack{{Stack: "archive", Kind: "destination", Account: "333333333333", Region: "us-east-2",
		Role: "arn:aws:iam::333333333333:role/deployer", PreviewRole: "arn:aws:iam::333333333333:role/previewer"}}, ofKind(stacks, "destination"))
	src := ofKind(stacks, "source")
	require.Len(t, src, 1)
	assert.Equal(t, "workload", src[0].Stack)
	assert.Equal(t, "organization/log-archive/archive", src[0].DestinationStack)
	assert.Len(t, ofKind(stacks, ""), 2)
}

// ofKind is the stacks of one kind ("" for all).
func ofKind(stacks []cistacks.Stack, kind string) []cistacks.Stack {
	var of []cistacks.Stack
	for _, s := range stacks {
		if kind == "" || s.Kind == kind {
			of = append(of, s)
		}
	}
	return of
}

func TestLoad_RejectsAMappingThatDisagrees(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(fixture, cistacks.File))
	require.NoError(t, err)
	tests := []struct {
		name, from, to, want string
	}{
		{"wrong account", `account: "444444444444"`, `account: "999999999999"`, `account "999999999999", but Pulumi.workload.yaml deploys to "444444444444"`},
		{"wrong region", "  workload:\n    account: \"444444444444\"\n    region: us-east-2", "  workload:\n    account: \"444444444444\"\n    region: eu-west-1", `region "eu-west-1", but Pulumi.workload.yaml has aws:region "us-east-2"`},
		{"role in another account", "role: arn:aws:iam::444444444444:role/deployer", "role: arn:aws:iam::333333333333:role/deployer", `role "arn:aws:iam::333333333333:role/deployer" is not an IAM role ARN in account 444444444444`},
		{"preview role in another account", "previewRole: arn:aws:iam::444444444444:role", "previewRole: arn:aws:iam::333333333333:role", `previewRole "arn:aws:iam::333333333333:role/previewer" is not an IAM role ARN in account 444444444444`},
		{"no preview role", "    previewRole: arn:aws:iam::444444444444:role/previewer\n", "", `previewRole "" is not an IAM role ARN`},
		{"preview role is the deploy role", "previewRole: arn:aws:iam::444444444444:role/previewer", "previewRole: arn:aws:iam::444444444444:role/deployer", "previewRole is the deploy role"},
		{"missing entry", "  workload:\n", "  other:\n", `no entry for stack "workload"`},
		{"wave on the archive", "    previewRole: arn:aws:iam::333333333333:role/previewer\n", "    previewRole: arn:aws:iam::333333333333:role/previewer\n    wave: canary\n", `stack "archive": wave "canary": only a source stack may set wave`},
		{"unknown wave", "    previewRole: arn:aws:iam::444444444444:role/previewer\n", "    previewRole: arn:aws:iam::444444444444:role/previewer\n    wave: first\n", `stack "workload": wave "first": only a source stack may set wave, and only to "canary"`},
		{"unknown field", "region: us-east-2\n    role: arn:aws:iam::333333333333", "regoin: us-east-2\n    role: arn:aws:iam::333333333333", "field regoin not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{"Pulumi.yaml", "Pulumi.archive.yaml", "Pulumi.workload.yaml"} {
				b, err := os.ReadFile(filepath.Join(fixture, f))
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o600))
			}
			require.Contains(t, string(good), tt.from)
			require.NoError(t, os.MkdirAll(filepath.Join(dir, ".github"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, cistacks.File), []byte(strings.Replace(string(good), tt.from, tt.to, 1)), 0o600))
			_, err := cistacks.Load(dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestCheckKind(t *testing.T) {
	for _, k := range []string{"", "destination", "source"} {
		assert.NoError(t, cistacks.CheckKind(k))
	}
	err := cistacks.CheckKind("bogus")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown kind "bogus"; give destination or source`)
}
