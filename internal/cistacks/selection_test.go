package cistacks_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/cistacks"
)

// A fleet of one archive and three sources, two of them reading the archive "archive" and one another
// archive, "other".
func fleet() []cistacks.Stack {
	return []cistacks.Stack{
		{Stack: "archive", Kind: "destination", Account: "111111111111"},
		{Stack: "other", Kind: "destination", Account: "999999999999"},
		{Stack: "web", Kind: "source", Account: "222222222222", DestinationStack: "organization/log-archive/archive"},
		{Stack: "data", Kind: "source", Account: "333333333333", DestinationStack: "acme/log-archive/archive"},
		{Stack: "lab", Kind: "source", Account: "444444444444", DestinationStack: "organization/log-archive/other"},
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name    string
		files   []string
		base    map[string]cistacks.Stack
		archive cistacks.ArchiveChange
		want    map[string]string // stack -> reason
	}{
		{"a source's stack file", []string{"Pulumi.web.yaml"}, nil, cistacks.ArchiveChange{},
			map[string]string{"web": "its stack file Pulumi.web.yaml changed"}},
		{"documentation and workflows", []string{"README.md", "docs/pipeline.md", ".github/workflows/deploy.yml", "internal/plan/testdata/x.json"}, nil, cistacks.ArchiveChange{},
			map[string]string{}},
		{"a Go file", []string{"README.md", "components/archive.go"}, nil, cistacks.ArchiveChange{},
			map[string]string{"archive": "the program changed (components/archive.go)", "other": "the program changed (components/archive.go)",
				"web": "the program changed (components/archive.go)", "data": "the program changed (components/archive.go)", "lab": "the program changed (components/archive.go)"}},
		{"go.sum and Pulumi.yaml", []string{"go.sum", "Pulumi.yaml", "Pulumi.web.yaml"}, nil, cistacks.ArchiveChange{},
			map[string]string{"archive": "the program changed (go.sum and 1 more files)", "other": "the program changed (go.sum and 1 more files)",
				"web": "its stack file Pulumi.web.yaml changed", "data": "the program changed (go.sum and 1 more files)", "lab": "the program changed (go.sum and 1 more files)"}},
		{"data a Go package embeds", []string{"internal/awsid/partitions.json"}, nil, cistacks.ArchiveChange{},
			map[string]string{"archive": "the program changed (internal/awsid/partitions.json)", "other": "the program changed (internal/awsid/partitions.json)",
				"web": "the program changed (internal/awsid/partitions.json)", "data": "the program changed (internal/awsid/partitions.json)", "lab": "the program changed (internal/awsid/partitions.json)"}},
		{"the archive, contract unchanged", []string{"Pulumi.archive.yaml"}, nil, cistacks.ArchiveChange{},
			map[string]string{"archive": "its stack file Pulumi.archive.yaml changed"}},
		{"the archive changes an output every source reads", []string{"Pulumi.archive.yaml"}, nil, cistacks.ArchiveChange{Outputs: []string{"archiveKeyArn"}},
			map[string]string{"archive": "its stack file Pulumi.archive.yaml changed",
				"web":  "the archive archive changes the contract outputs it reads: archiveKeyArn",
				"data": "the archive archive changes the contract outputs it reads: archiveKeyArn"}},
		{"the archive lists one more account", []string{"Pulumi.archive.yaml"}, nil, cistacks.ArchiveChange{Accounts: []string{"333333333333"}},
			map[string]string{"archive": "its stack file Pulumi.archive.yaml changed", "data": "the archive archive adds or removes its account 333333333333"}},
		{"a new archive", []string{"Pulumi.other.yaml"}, nil, cistacks.ArchiveChange{New: true},
			map[string]string{"other": "its stack file Pulumi.other.yaml changed", "lab": "the archive stack other is new"}},
		{"a stacks.yaml entry", []string{".github/stacks.yaml"},
			map[string]cistacks.Stack{"archive": {Account: "111111111111"}, "other": {Account: "999999999999"}, "web": {Account: "222222222222", Wave: "canary"},
				"data": {Account: "333333333333"}}, cistacks.ArchiveChange{},
			map[string]string{"web": "its entry in .github/stacks.yaml changed", "lab": "its entry in .github/stacks.yaml changed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []string
			got, err := cistacks.Select(fleet(), cistacks.Change{Files: tt.files, BaseEntries: tt.base, Archive: func(stack string) (cistacks.ArchiveChange, error) {
				asked = append(asked, stack)
				return tt.archive, nil
			}})
			require.NoError(t, err)
			reasons := map[string]string{}
			for _, s := range got {
				_, twice := reasons[s.Stack.Stack]
				require.False(t, twice, "%s selected twice", s.Stack.Stack)
				reasons[s.Stack.Stack] = s.Reason
			}
			assert.Equal(t, tt.want, reasons)
			for _, a := range asked {
				assert.Contains(t, tt.files, "Pulumi."+a+".yaml", "an archive is compared only when its stack file changed")
			}
		})
	}
}

func TestSelect_ComparingTheArchiveFails(t *testing.T) {
	_, err := cistacks.Select(fleet(), cistacks.Change{Files: []string{"Pulumi.archive.yaml"}, Archive: func(string) (cistacks.ArchiveChange, error) {
		return cistacks.ArchiveChange{}, fmt.Errorf("git: no such revision")
	}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "comparing the contract outputs of the archive stack archive: git: no such revision")
}

func TestCompareContract(t *testing.T) {
	base := map[string]any{"archiveKeyArn": "arn:aws:kms:eu-west-1:111111111111:key/a", "archiveBucketName": "b",
		"sourceAccountIds": []any{"222222222222", "333333333333"}, "sourceOrganizationId": "", "archiveKeyAlias": "alias/x"}
	same := map[string]any{"archiveKeyArn": "arn:aws:kms:eu-west-1:111111111111:key/a", "archiveBucketName": "b",
		"sourceAccountIds": []any{"222222222222", "333333333333"}, "sourceOrganizationId": "", "archiveKeyAlias": "alias/other"}
	assert.Equal(t, cistacks.ArchiveChange{}, cistacks.CompareContract(base, same), "archiveKeyAlias is no contract output: no source reads it")

	moved := map[string]any{"archiveKeyArn": "arn:aws:kms:eu-west-1:111111111111:key/b", "archiveBucketName": "b",
		"sourceAccountIds": []any{"333333333333", "444444444444"}, "sourceOrganizationId": "o-a1b2c3d4e5"}
	assert.Equal(t, cistacks.ArchiveChange{Outputs: []string{"archiveKeyArn", "sourceOrganizationId"}, Accounts: []string{"222222222222", "444444444444"}},
		cistacks.CompareContract(base, moved))
}
