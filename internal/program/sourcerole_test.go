package program_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/policy"
)

// lockedArchive is the archive with Object Lock, as a source stack reads it.
func lockedArchive(t *testing.T) map[string]map[string]any {
	return archiveOutputs(t, with(destinationConfig(), "log-archive:objectLock", `{"mode":"COMPLIANCE","days":365}`))
}

// R1.7, H3: when the archive has Object Lock the role reads retention and legal hold on every source
// object, existing buckets and log buckets alike, so a source's lock can travel with its replicas; without
// it, and with no locked source, the statement is absent.
func TestSource_RoleReadsObjectLockSettingsWheneverTheArchiveHasObjectLock_R1_7(t *testing.T) {
	cfg := with(logSourceConfig())
	p, err := runStack(t, "workload-a", cfg, lockedArchive(t))
	require.NoError(t, err)
	s := statementOf(t, policyInput(t, mustStep(t, p, tRolePolicy, "source-role-policy"), "policy"), components.SidReadSourceObjectLock)
	assert.Equal(t, policy.Strings{"s3:GetObjectRetention", "s3:GetObjectLegalHold"}, s.Action)
	assert.Equal(t, policy.Strings{"arn:aws:s3:::trail-logs/*", "arn:aws:s3:::" + logBucket + "/*"}, s.Resource)

	unlocked := runSource(t, cfg)
	_, present := policyInput(t, mustStep(t, unlocked, tRolePolicy, "source-role-policy"), "policy").StatementBySid(components.SidReadSourceObjectLock)
	assert.False(t, present, "no Object Lock anywhere: no lock reads")
}

// H6: S3 Batch Replication (objects older than the rule, R4.12, and FAILED ones, R5.9) runs as a role of
// its own, trusted by batchoperations.s3.amazonaws.com only, that may initiate replication of the
// replicated buckets' objects and generate their manifest, and nothing else. The live replication role's
// trust stays s3.amazonaws.com alone (R1.1).
func TestSource_BackfillRole_H6(t *testing.T) {
	p := runSource(t, logSourceConfig())
	role := mustStep(t, p, tRole, "source-backfill-role")
	assert.NotContains(t, role.NewState.Inputs, "name", "autonamed: the archive does not pin it, and two stacks never collide")
	assert.Equal(t, "/log-archive/", role.NewState.Inputs["path"])
	trust := policyInput(t, role, "assumeRolePolicy")
	require.Len(t, trust.Statement, 1)
	assert.Equal(t, policy.Strings{"batchoperations.s3.amazonaws.com"}, trust.Statement[0].Principal.Service)
	assert.Equal(t, policy.Strings{"sts:AssumeRole"}, trust.Statement[0].Action)
	assert.Empty(t, trust.Statement[0].Condition)

	rolePolicy := mustStep(t, p, tRolePolicy, "source-backfill-role-policy")
	assert.Contains(t, rolePolicy.NewState.Dependencies, role.URN)
	doc := policyInput(t, rolePolicy, "policy")
	require.Len(t, doc.Statement, 2)
	initiate := statementOf(t, doc, components.SidInitiateReplication)
	assert.Equal(t, policy.Strings{"s3:InitiateReplication"}, initiate.Action)
	assert.Equal(t, policy.Strings{"arn:aws:s3:::trail-logs/*", "arn:aws:s3:::" + logBucket + "/*"}, initiate.Resource)
	manifest := statementOf(t, doc, components.SidGenerateManifest)
	assert.Equal(t, policy.Strings{"s3:GetReplicationConfiguration", "s3:PutInventoryConfiguration"}, manifest.Action)
	assert.Equal(t, policy.Strings{"arn:aws:s3:::trail-logs", "arn:aws:s3:::" + logBucket}, manifest.Resource)

	live := policyInput(t, mustStep(t, p, tRole, "source-role"), "assumeRolePolicy")
	assert.Equal(t, policy.Strings{"s3.amazonaws.com"}, live.Statement[0].Principal.Service, "R1.1: the live role is S3's alone")
	arn, _ := p.Outputs["backfillRoleArn"].(string)
	assert.Regexp(t, `^arn:aws:iam::222222222222:role/log-archive/source-backfill-role-[0-9a-f]{7}$`, arn)
}
