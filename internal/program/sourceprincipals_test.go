package program_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/policy"
)

// log-archive:sourcePrincipals: accountPrincipals, the fallback of docs/public-access.md, reaches both
// policies as sent: each listed account's root as the principal, the role pin kept (R2.10, R2.11, R2.13).
func TestDestination_SourcePrincipalsModes_R2_13(t *testing.T) {
	roots := policy.Strings{"arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"}
	pin := policy.Strings{"arn:aws:iam::*:role/log-archive/log-archive-replication"}
	tests := []struct {
		mode          string // "" leaves the key out: the default
		wantPrincipal *policy.Principal
		bucketAccount policy.Strings // aws:PrincipalAccount, nil when absent
		keyAccount    policy.Strings // kms:CallerAccount, nil when absent
	}{
		{"", &policy.Principal{Everyone: true}, policy.Strings{"222222222222", "333333333333"}, policy.Strings{"222222222222", "333333333333"}},
		{"accountCondition", &policy.Principal{Everyone: true}, policy.Strings{"222222222222", "333333333333"}, policy.Strings{"222222222222", "333333333333"}},
		{"accountPrincipals", &policy.Principal{AWS: roots}, nil, nil},
	}
	for _, tt := range tests {
		t.Run("mode="+tt.mode, func(t *testing.T) {
			p, err := runStack(t, "destination", with(destinationConfig(), "log-archive:sourcePrincipals", tt.mode), nil)
			require.NoError(t, err)
			bucket := statementOf(t, policyInput(t, mustStep(t, p, tBucketPolicy, "archive-policy"), "policy"), components.SidArchiveReplication)
			assert.Equal(t, tt.wantPrincipal, bucket.Principal)
			assert.Equal(t, pin, bucket.Condition["ArnLike"]["aws:PrincipalArn"])
			assert.Equal(t, tt.bucketAccount, bucket.Condition["StringEquals"]["aws:PrincipalAccount"])

			key := statementOf(t, policyInput(t, mustStep(t, p, tKey, "archive-key"), "policy"), components.SidSourceRolesUseKey)
			assert.Equal(t, tt.wantPrincipal, key.Principal)
			assert.Equal(t, pin, key.Condition["ArnLike"]["aws:PrincipalArn"])
			assert.Equal(t, tt.keyAccount, key.Condition["StringEquals"]["kms:CallerAccount"])
			assert.Equal(t, policy.Strings{"s3.eu-west-1.amazonaws.com"}, key.Condition["StringEquals"]["kms:ViaService"])
		})
	}
}

func TestDestination_SourcePrincipalsRefusedInput(t *testing.T) {
	org := `{"id":"o-a1b2c3d4e5"}`
	tests := []struct {
		name  string
		stack string
		cfg   map[string]string
		want  []string
	}{
		{"unknown mode", "destination", with(destinationConfig(), "log-archive:sourcePrincipals", "principals"),
			[]string{`log-archive:sourcePrincipals = "principals": is not accountCondition or accountPrincipals`,
				"Fix: write accountCondition (the default", "docs/public-access.md"}},
		{"account principals with an organization", "destination",
			with(destinationConfig(), "log-archive:sourcePrincipals", "accountPrincipals", "log-archive:sourceOrganization", org),
			[]string{`log-archive:sourcePrincipals = "accountPrincipals": accountPrincipals cannot be combined with a source organization`,
				"aws:PrincipalOrgID", "Fix: remove log-archive:sourcePrincipals, or remove log-archive:sourceOrganization"}},
		{"too many account principals", "destination",
			with(destinationConfig(), "log-archive:sourcePrincipals", "accountPrincipals", "log-archive:sourceAccountIds", accountList(700)),
			[]string{"log-archive:sourceAccountIds = (700 source accounts)", "(R2.9)", "as accountPrincipals, 700 as accountCondition)",
				"or go back to log-archive:sourcePrincipals: accountCondition if IAM Access Analyzer accepts it"}},
		{"in a source stack", "workload", with(sourceConfig(), "log-archive:sourcePrincipals", "accountPrincipals"),
			[]string{`log-archive:sourcePrincipals = accountPrincipals: belongs to the other kind of stack`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireRefused(t, tt.stack, tt.cfg, tt.want...)
		})
	}
}
