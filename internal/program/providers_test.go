package program_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/program"
)

// Issues 17.2 and 18.6: the program builds every explicit AWS provider, and each carries every setting of
// the stack's default provider (its aws: configuration); only the Region differs. Replication time
// control adds the archive Region's provider (eu-west-1) for the latency alarms, which once dropped them all.
func TestEveryProviderInheritsTheStacksAWSSettings(t *testing.T) {
	cfg := with(multiRegionConfig(),
		"log-archive:replicationTimeControl", "true",
		"aws:profile", "log-archive-workload-a",
		"aws:assumeRole", `{"roleArn": "arn:aws:iam::222222222222:role/log-archive-github-deployer", "sessionName": "log-archive", "externalId": "acme"}`,
		"aws:defaultTags", `{"tags": {"cost-center": "security", "owner": "platform"}}`,
		"aws:skipMetadataApiCheck", "true",
		"aws:sharedConfigFiles", `["/etc/aws/config"]`,
		"aws:maxRetries", "5",
		"aws:endpoints", `[{"s3": "https://s3.example.internal"}]`,
		"aws:ignoreTags", `{"keyPrefixes": ["kubernetes.io/"]}`,
	)
	p, err := runStack(t, "workload-a", cfg, archiveOutputs(t, destinationConfig()))
	require.NoError(t, err)
	want := map[string]any{
		"profile": "log-archive-workload-a",
		"assumeRole": map[string]any{"roleArn": "arn:aws:iam::222222222222:role/log-archive-github-deployer",
			"sessionName": "log-archive", "externalId": "acme"},
		"defaultTags":          map[string]any{"tags": map[string]any{"cost-center": "security", "owner": "platform"}},
		"allowedAccountIds":    []any{sourceAccount},
		"skipMetadataApiCheck": true,
		"sharedConfigFiles":    []any{"/etc/aws/config"},
		"maxRetries":           5.0,
		"endpoints":            []any{map[string]any{"s3": "https://s3.example.internal"}},
		"ignoreTags":           map[string]any{"keyPrefixes": []any{"kubernetes.io/"}},
	}
	regions := map[string]bool{}
	var first map[string]any
	for _, s := range p.OfType(tProvider) {
		in := maps.Clone(s.NewState.Inputs)
		regions[in["region"].(string)] = true
		delete(in, "region")
		for key, value := range want {
			assert.Equal(t, value, in[key], "%s: %s", s.Name(), key)
		}
		// Nothing else but the two defaults aws.NewProvider sets, as the stack's default provider has them.
		assert.ElementsMatch(t, append(slices.Collect(maps.Keys(want)), "skipCredentialsValidation", "skipRegionValidation"),
			slices.Collect(maps.Keys(in)), s.Name())
		assert.Equal(t, false, in["skipCredentialsValidation"])
		assert.Equal(t, true, in["skipRegionValidation"])
		if first == nil {
			first = in
		}
		assert.Equal(t, first, in, "%s: only the Region differs", s.Name())
	}
	assert.Equal(t, map[string]bool{"eu-central-1": true, "us-west-2": true, "eu-west-1": true}, regions,
		"a provider for each bucket Region but the stack's, and the archive's for the latency alarms")
}

// A provider setting the AWS provider would refuse is refused first, with the stack file, key and fix.
func TestAWSProviderSettingOfTheWrongType(t *testing.T) {
	requireRefused(t, "workload-a", with(sourceConfig(), "aws:skipMetadataApiCheck", "sometimes"),
		`aws:skipMetadataApiCheck = "sometimes": is not a value the AWS provider accepts for skipMetadataApiCheck`,
		"https://www.pulumi.com/registry/packages/aws/api-docs/provider/")
	requireRefused(t, "workload-a", with(sourceConfig(), "aws:assumeRole", `["arn:aws:iam::222222222222:role/x"]`),
		`aws:assumeRole = ["arn:aws:iam::222222222222:role/x"]: is not a value the AWS provider accepts for assumeRole`)
}

// The providers of other Regions request the plugin version of the SDK the program is built with, as
// aws.NewProvider would: the one the stack's default provider runs. (The engine test runs them with only
// that plugin installed and acquisition off, so a wrong version fails there.)
func TestAWSProviderVersionIsTheSDKs(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join(repoRoot(t), "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(gomod), "github.com/pulumi/pulumi-aws/sdk/v6 v"+program.AWSProviderVersion+"\n")
}
