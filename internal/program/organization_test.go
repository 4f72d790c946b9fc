package program_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/policy"
)

const org = `{"id": "o-a1b2c3d4e5", "paths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"]}`

// R2.12: an archive that admits an organization (here: one OU) grants it in both policies and publishes it
// in the contract; a member account that the archive does not list deploys its source stack without an
// archive deploy, and is told what the stack cannot check.
func TestArchive_OrganizationMode_R2_12(t *testing.T) {
	cfg := with(destinationConfig(), "log-archive:sourceAccountIds", "", "log-archive:sourceOrganization", org)
	p, err := runStack(t, "destination", cfg, nil)
	require.NoError(t, err)
	bucket := policyInput(t, mustStep(t, p, tBucketPolicy, "archive-policy"), "policy")
	assert.Equal(t, []string{components.SidArchiveReplicationOrg, components.SidDenyInsecureTransport}, sidsOf(bucket))
	grant := statementOf(t, bucket, components.SidArchiveReplicationOrg)
	assert.Equal(t, policy.Strings{"o-a1b2c3d4e5"}, grant.Condition["StringEquals"]["aws:PrincipalOrgID"])
	assert.Equal(t, policy.Strings{"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}, grant.Condition["ForAnyValue:StringLike"]["aws:PrincipalOrgPaths"])
	key := policyInput(t, mustStep(t, p, tKey, "archive-key"), "policy")
	statementOf(t, key, components.SidSourceOrgRolesUseKey)
	assert.Equal(t, "o-a1b2c3d4e5", p.Outputs["sourceOrganizationId"])
	assert.Equal(t, []any{"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"}, p.Outputs["sourceOrganizationPaths"])

	// 222222222222 is not listed: it onboards by deploying only its own stack.
	src, err := runStack(t, "workload-a", sourceConfig(), map[string]map[string]any{destinationRef: p.Outputs})
	require.NoError(t, err)
	assert.NotEmpty(t, src.OfType(tReplication))
	require.Len(t, src.Warnings, 1, "the stack says what it cannot check offline")
	assert.Contains(t, src.Warnings[0], "the archive admits organization o-a1b2c3d4e5 (OUs o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/), not account 222222222222 by name")

	// Listed accounts only: the organization outputs are empty, and an unlisted account is refused.
	listed, err := runStack(t, "destination", with(destinationConfig(), "log-archive:sourceAccountIds", `["333333333333"]`), nil)
	require.NoError(t, err)
	assert.Equal(t, "", listed.Outputs["sourceOrganizationId"])
	_, err = runStack(t, "workload-a", sourceConfig(), map[string]map[string]any{destinationRef: listed.Outputs})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the archive does not accept source account 222222222222")
}

// An existing archive moves from account-root principals to the fixed-list scheme with an in-place update
// of its two policies: the same resources, nothing replaced (the engine test shows the update count).
func TestArchive_ModeSwitchIsAnInPlacePolicyUpdate(t *testing.T) {
	accounts, err := runStack(t, "destination", destinationConfig(), nil)
	require.NoError(t, err)
	both, err := runStack(t, "destination", with(destinationConfig(), "log-archive:sourceOrganization", org), nil)
	require.NoError(t, err)
	var before, after []string
	for _, s := range accounts.Creates() {
		before = append(before, s.URN)
	}
	for _, s := range both.Creates() {
		after = append(after, s.URN)
	}
	assert.Equal(t, before, after, "no resource appears or goes")
	for _, name := range []string{"archive-policy", "archive-key"} {
		for _, pol := range both.Policies() {
			if pol.Resource == name {
				assert.Contains(t, pol.Document, "aws:PrincipalOrgID", name)
				assert.Contains(t, pol.Document, "222222222222", "%s still lists the accounts", name)
			}
		}
	}
}

func TestArchive_OrganizationBadInput(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"no id", `{"paths": ["o-a1b2c3d4e5/r-ab12/"]}`, "log-archive:sourceOrganization.id is not set: this field is required"},
		{"bad id", `{"id": "a1b2c3d4e5"}`, `log-archive:sourceOrganization.id = "a1b2c3d4e5": is not an AWS Organizations ID`},
		{"OU id instead of path", `{"id": "o-a1b2c3d4e5", "paths": ["ou-ab12-11111111"]}`, `log-archive:sourceOrganization.paths[0] = "ou-ab12-11111111": is not an organization path`},
		{"path without trailing slash", `{"id": "o-a1b2c3d4e5", "paths": ["o-a1b2c3d4e5/r-ab12"]}`, "lacks the trailing /"},
		{"wildcard path", `{"id": "o-a1b2c3d4e5", "paths": ["o-a1b2c3d4e5/r-ab12/*"]}`, "no wildcards"},
		{"path of another organization", `{"id": "o-a1b2c3d4e5", "paths": ["o-zzzzzzzzzz/r-ab12/"]}`, "another organization than o-a1b2c3d4e5"},
		{"duplicate path", `{"id": "o-a1b2c3d4e5", "paths": ["o-a1b2c3d4e5/r-ab12/", "o-a1b2c3d4e5/r-ab12/"]}`, "paths[1] = \"o-a1b2c3d4e5/r-ab12/\": is listed twice"},
		{"misspelt field", `{"id": "o-a1b2c3d4e5", "ous": []}`, `has a field this program does not know, "ous"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := runStack(t, "destination", with(destinationConfig(), "log-archive:sourceOrganization", tc.value), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Pulumi.destination.yaml: ")
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "Fix: ")
			assert.Empty(t, p.Creates())
		})
	}
}
