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
)

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func TestLoad_RepositoryMappingMatchesTheStackFiles(t *testing.T) {
	stacks, err := cistacks.Load(repoRoot())
	require.NoError(t, err)
	assert.Equal(t, cistacks.Matrix{Include: []cistacks.Stack{{Stack: "destination", Kind: "destination", Account: "111111111111",
		Region: "eu-west-1", Role: "arn:aws:iam::111111111111:role/log-archive-github-deployer"}}}, cistacks.ForKind(stacks, "destination"))
	src := cistacks.ForKind(stacks, "source")
	require.Len(t, src.Include, 1)
	assert.Equal(t, "222222222222", src.Include[0].Account)
	assert.Len(t, cistacks.ForKind(stacks, "").Include, 2)
}

func TestLoad_RejectsAMappingThatDisagrees(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(repoRoot(), cistacks.File))
	require.NoError(t, err)
	tests := []struct {
		name, from, to, want string
	}{
		{"wrong account", `account: "222222222222"`, `account: "999999999999"`, `account "999999999999", but Pulumi.source.yaml deploys to "222222222222"`},
		{"wrong region", "  source:\n    account: \"222222222222\"\n    region: eu-west-1", "  source:\n    account: \"222222222222\"\n    region: us-east-1", `region "us-east-1", but Pulumi.source.yaml has aws:region "eu-west-1"`},
		{"role in another account", "role: arn:aws:iam::222222222222:role", "role: arn:aws:iam::111111111111:role", "is not an IAM role ARN in account 222222222222"},
		{"missing entry", "  source:\n", "  other:\n", `no entry for stack "source"`},
		{"unknown field", "region: eu-west-1\n    role: arn:aws:iam::111111111111", "regoin: eu-west-1\n    role: arn:aws:iam::111111111111", "field regoin not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{"Pulumi.yaml", "Pulumi.destination.yaml", "Pulumi.source.yaml"} {
				b, err := os.ReadFile(filepath.Join(repoRoot(), f))
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
