//go:build engine

package enginetest

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/contract"
)

// Resource types the assertions name.
const (
	typeBucket     = "aws:s3/bucketV2:BucketV2"
	typeKey        = "aws:kms/key:Key"
	typeRole       = "aws:iam/role:Role"
	typeRolePolicy = "aws:iam/rolePolicy:RolePolicy"
)

// TestEngine_DeployAndDestroy deploys the archive and the example source stack as an operator would
// (README: "Stand up the archive", "Onboard a source account"), then offboards the source and tries to
// destroy the archive, checking against the fake AWS what really exists after each step.
func TestEngine_DeployAndDestroy(t *testing.T) {
	ctx := t.Context()
	env := NewEnv(t)

	dst := env.Stack(ctx, "destination")
	preview := env.Preview(ctx, dst)
	assert.Positive(t, preview.ChangeSummary["create"], "preview of a new archive creates resources")
	require.Empty(t, env.Records(), "a preview must create nothing")

	up := env.Up(ctx, dst)
	// The outputs the real engine recorded read with the contract's own parse, as verify reads them.
	archive, err := contract.ParseArchive(outputValues(up.Outputs))
	require.NoError(t, err, "destination outputs: %v", up.Outputs)
	recs := env.Records()
	bucket := Find(recs, typeBucket, archive.BucketName)
	require.NotNil(t, bucket, "the archive bucket exists; records: %v", Keys(recs))
	assert.Equal(t, archive.AccountID, bucket.Account)
	var key *Record
	for i := range recs {
		if recs[i].Type == typeKey && recs[i].Outputs["arn"] == archive.KeyArn {
			key = &recs[i]
		}
	}
	require.NotNil(t, key, "the archive key %s exists; records: %v", archive.KeyArn, Keys(recs))
	assert.Equal(t, archive.Region, key.Region)

	// The source reads the contract through a StackReference resolved by the file backend.
	src := env.Stack(ctx, "source")
	srcUp := env.Up(ctx, src)
	source, err := contract.ParseSource(outputValues(srcUp.Outputs))
	require.NoError(t, err, "source outputs: %v", srcUp.Outputs)
	assert.Equal(t, archive.KeyArn, source.ArchiveKeyArn, "the source read the archive's key through the StackReference")
	recs = env.Records()
	role := Find(recs, typeRole, archive.ReplicationRoleName)
	require.NotNil(t, role, "the source's replication role exists; records: %v", Keys(recs))
	assert.Equal(t, "arn:aws:iam::"+role.Account+":role"+archive.ReplicationRolePath+archive.ReplicationRoleName,
		source.ReplicationRoleArn)
	srcKept := OfStack(recs, "source")
	for i := len(srcKept) - 1; i >= 0; i-- { // what docs/deploying.md says a source destroy keeps: the log buckets
		switch srcKept[i].Type { // what a source destroy deletes: roles, their permissions, rules and alarms
		case typeRole, typeRolePolicy, "aws:iam/policy:Policy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
			"aws:s3/bucketReplicationConfig:BucketReplicationConfig", "aws:cloudwatch/metricAlarm:MetricAlarm",
			"aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy", "aws:s3/bucketNotification:BucketNotification":
			srcKept = append(srcKept[:i], srcKept[i+1:]...)
		}
	}

	// Offboarding (docs/deploying.md): the role, its policy and the replication configurations go; the log buckets
	// the stack created, with their keys and settings, and the versioning of existing buckets stay.
	_, err = env.Destroy(ctx, src)
	require.NoError(t, err, "pulumi destroy --stack source")
	recs = env.Records()
	assert.Nil(t, Find(recs, typeRole, archive.ReplicationRoleName), "destroy deleted the replication role")
	assert.Empty(t, OfType(OfStack(recs, "source"), typeRolePolicy), "destroy deleted the role policy")
	assert.Equal(t, Keys(srcKept), Keys(OfStack(recs, "source")), "destroy kept every retained source resource")

	// The archive refuses to be destroyed (docs/deploying.md, "What pulumi destroy does"), and refusing must not cost
	// it anything: every archive resource that existed before still exists after.
	before := OfStack(env.Records(), "destination")
	_, err = env.Destroy(ctx, dst)
	require.Error(t, err, "pulumi destroy --stack destination must refuse")
	assert.Contains(t, err.Error(), "protect", "the refusal names protection")
	assert.Equal(t, Keys(before), Keys(OfStack(env.Records(), "destination")),
		"a refused destroy deleted nothing in the archive account")
}

// OfType keeps the records of one type.
func OfType(recs []Record, typ string) []Record {
	var out []Record
	for _, r := range recs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// outputValues is a stack's outputs as `pulumi stack output --json` prints them.
func outputValues(outputs auto.OutputMap) map[string]any {
	values := make(map[string]any, len(outputs))
	for name, o := range outputs {
		values[name] = o.Value
	}
	return values
}
