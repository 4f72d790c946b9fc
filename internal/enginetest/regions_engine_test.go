//go:build engine

package enginetest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/urn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/policy"
)

const (
	typeReplication       = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
	typeVersioning        = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	typeManagedPolicy     = "aws:iam/policy:Policy"
	typePolicyAttachment  = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	replicationRolePolicy = "log-archive-replication:replicate-into-log-archive"
)

// Source side, through the real CLI and engine: one source stack with buckets in two Regions
// (eu-west-1, its aws:region, and eu-central-1 through an explicit provider) against the fixture archive;
// then past the role's inline budget, where its grants move into managed policies without the role ever
// lacking one; then back.
func TestEngine_SourceStackInTwoRegions_AndItsRoleGrowsIntoManagedPolicies(t *testing.T) {
	ctx := t.Context()
	env := NewEnv(t)
	opLog := env.LogOperations()

	env.Up(ctx, env.Stack(ctx, "destination"))
	env.Edit("Pulumi.source.yaml", withCentralBuckets)
	twoRegions := readFile(t, filepath.Join(env.WorkDir, "Pulumi.source.yaml"))
	src := env.Stack(ctx, "source")
	up := env.Up(ctx, src)

	recs := OfStack(env.Records(), "source")
	assert.Equal(t, map[string]any{
		"acme-workload-a-app-logs": "eu-west-1", "acme-workload-a-app-logs-eu-central-1": "eu-central-1",
		"acme-workload-a-logs-eu-west-1": "eu-west-1", "acme-workload-a-logs-eu-central-1": "eu-central-1",
	}, up.Outputs["bucketRegions"].Value)
	// Every bucket's resources were created in its own Region, in this account.
	for bucket, region := range map[string]string{
		"acme-workload-a-logs-eu-west-1": "eu-west-1", "acme-workload-a-logs-eu-central-1": "eu-central-1",
	} {
		for _, typ := range []string{typeBucket, typeReplication} {
			r := Find(recs, typ, bucket)
			require.NotNil(t, r, "%s %s; records: %v", typ, bucket, Keys(recs))
			assert.Equal(t, region, r.Region, "%s %s", typ, bucket)
			assert.Equal(t, "222222222222", r.Account)
		}
	}
	for bucket, region := range map[string]string{"acme-workload-a-app-logs": "eu-west-1", "acme-workload-a-app-logs-eu-central-1": "eu-central-1"} {
		for _, r := range []*Record{Find(recs, typeVersioning, bucket+",222222222222"), Find(recs, typeReplication, bucket)} {
			require.NotNil(t, r, "%s; records: %v", bucket, Keys(recs))
			assert.Equal(t, region, r.Region, "%s %s", r.Type, bucket)
		}
	}
	keys := map[string]string{} // log bucket -> its key's ARN, as published
	for name, v := range up.Outputs["logBuckets"].Value.(map[string]any) {
		keys[name] = v.(map[string]any)["keyArn"].(string)
	}
	require.True(t, strings.HasPrefix(keys["acme-workload-a-logs-eu-central-1"], "arn:aws:kms:eu-central-1:222222222222:key/"), keys)
	require.True(t, strings.HasPrefix(keys["acme-workload-a-logs-eu-west-1"], "arn:aws:kms:eu-west-1:222222222222:key/"), keys)
	assert.Len(t, OfType(recs, typeKey), 2, "one key per log bucket, each in its Region")
	assert.Len(t, OfType(recs, typeRole), 2, "one replication role and one backfill role for both Regions (IAM is global)")

	// R1.13, R1.14: one Decrypt statement per Region, each through S3 in that Region; the archive key's
	// through S3 in the archive's Region.
	rolePolicy := rolePolicyOf(t, recs)
	central := statementBySid(t, rolePolicy, "DecryptSourceObjectsEuCentral1")
	assert.Equal(t, policy.Strings{"s3.eu-central-1.amazonaws.com"}, central.Condition["StringEquals"]["kms:ViaService"])
	assert.ElementsMatch(t, policy.Strings{centralKey(0), keys["acme-workload-a-logs-eu-central-1"]}, central.Resource)
	home := statementBySid(t, rolePolicy, components.SidDecryptSourceObjects)
	assert.Equal(t, policy.Strings{"s3.eu-west-1.amazonaws.com"}, home.Condition["StringEquals"]["kms:ViaService"])
	assert.Contains(t, home.Resource, keys["acme-workload-a-logs-eu-west-1"])
	assert.Equal(t, policy.Strings{"s3.eu-west-1.amazonaws.com"},
		statementBySid(t, rolePolicy, components.SidEncryptReplicas).Condition["StringEquals"]["kms:ViaService"])
	assert.Empty(t, OfType(recs, typeManagedPolicy), "four buckets fit the inline policy")

	// Past the inline budget of both roles: 140 more existing buckets in both Regions. The engine creates the managed
	// policies and attachments, then shrinks the replication role's inline policy and deletes the backfill
	// role's, and creates no replication configuration before every attachment exists (R5.9).
	require.NoError(t, os.WriteFile(opLog, nil, 0o644))
	env.Edit("Pulumi.source.yaml", func(s string) string {
		var more strings.Builder
		for i := 1; i <= 140; i++ {
			region := "eu-west-1"
			key := fmt.Sprintf("arn:aws:kms:eu-west-1:222222222222:key/6a7b8c9d-0e1f-4a2b-9c3d-%012d", i)
			if i%2 == 0 {
				region, key = "eu-central-1", centralKey(i)
			}
			fmt.Fprintf(&more, "    - name: acme-workload-a-more-%03d\n      region: %s\n      kmsKeyArns:\n        - %s\n", i, region, key)
		}
		return strings.Replace(s, "      prefix: AWSLogs/\n", "      prefix: AWSLogs/\n"+more.String(), 1)
	})
	env.Up(ctx, src)
	ops := readOps(t, opLog)
	recs = OfStack(env.Records(), "source")
	attachments := OfType(recs, typePolicyAttachment)
	require.NotEmpty(t, attachments, "managed policies attached; records: %v", Keys(recs))
	assert.LessOrEqual(t, len(OfType(recs, typeManagedPolicy)), 2*components.MaxAttachedPolicies)
	lastAttach := lastIndex(ops, "create", typePolicyAttachment)
	require.GreaterOrEqual(t, lastAttach, 0)
	shrunk := firstIndex(ops, "update", "aws:iam/rolePolicy:RolePolicy")
	require.GreaterOrEqual(t, shrunk, 0, "the replication role's inline policy was updated: %v", ops)
	assert.Greater(t, shrunk, lastAttach, "the inline policy lost its bucket grants only after every attachment existed: %v", ops)
	backfillGone := firstIndex(ops, "delete", "aws:iam/rolePolicy:RolePolicy")
	require.GreaterOrEqual(t, backfillGone, 0, "the backfill role's inline policy was deleted: %v", ops)
	assert.Greater(t, backfillGone, lastAttach)
	firstReplication := firstIndex(ops, "", typeReplication)
	require.GreaterOrEqual(t, firstReplication, 0)
	assert.Greater(t, firstReplication, lastAttach, "no replication configuration before every grant (R5.9): %v", ops)
	var sids []string
	for _, s := range rolePolicyOf(t, recs).Statement {
		sids = append(sids, s.Sid)
	}
	assert.Equal(t, []string{components.SidReplicateIntoArchive, components.SidEncryptReplicas}, sids, "only the archive's statements stay inline")
	// Every bucket is granted in exactly one managed policy of the replication role.
	granted := map[string]int{}
	for _, r := range OfType(recs, typeManagedPolicy) {
		d, err := policy.Parse(r.Inputs["policy"].(string))
		require.NoError(t, err)
		if s, ok := d.StatementBySid(components.SidReadSourceConfiguration); ok {
			for _, arn := range s.Resource {
				granted[arn]++
			}
		}
	}
	assert.Len(t, granted, 144)
	for arn, n := range granted {
		assert.Equal(t, 1, n, arn)
	}

	// Back to two buckets a Region: the inline policy regains every grant before the engine deletes the
	// managed policies (deletes come last).
	require.NoError(t, os.WriteFile(opLog, nil, 0o644))
	env.Edit("Pulumi.source.yaml", func(string) string { return twoRegions })
	env.Up(ctx, src)
	ops = readOps(t, opLog)
	regrown := firstIndex(ops, "update", "aws:iam/rolePolicy:RolePolicy")
	firstDetach := firstIndex(ops, "delete", typePolicyAttachment)
	require.GreaterOrEqual(t, regrown, 0, "%v", ops)
	require.GreaterOrEqual(t, firstDetach, 0, "%v", ops)
	assert.Less(t, regrown, firstDetach, "the inline policy regained its grants before any attachment went: %v", ops)
	backfillBack := firstIndex(ops, "create", "aws:iam/rolePolicy:RolePolicy")
	require.GreaterOrEqual(t, backfillBack, 0, "%v", ops)
	assert.Less(t, backfillBack, firstDetach)
	recs = OfStack(env.Records(), "source")
	assert.Empty(t, OfType(recs, typePolicyAttachment))
	assert.Empty(t, OfType(recs, typeManagedPolicy))
	assert.Len(t, OfType(recs, typeRolePolicy), 2)
}

// withCentralBuckets adds to the fixture source stack a log bucket and an existing bucket in eu-central-1.
func withCentralBuckets(s string) string {
	s = strings.Replace(s, "      trailNames: [workload-a-management-events]\n", "      trailNames: [workload-a-management-events]\n"+
		"    - name: acme-workload-a-logs-eu-central-1\n      region: eu-central-1\n      services: [vpc-flow-logs]\n", 1)
	return strings.Replace(s, "      prefix: AWSLogs/\n", "      prefix: AWSLogs/\n"+
		"    - name: acme-workload-a-app-logs-eu-central-1\n      region: eu-central-1\n      kmsKeyArns:\n"+
		"        - "+centralKey(0)+"\n", 1)
}

func centralKey(i int) string {
	return fmt.Sprintf("arn:aws:kms:eu-central-1:222222222222:key/7b8c9d0e-1f2a-4b3c-8d4e-%012d", i)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func rolePolicyOf(t *testing.T, recs []Record) policy.Document {
	t.Helper()
	r := Find(recs, typeRolePolicy, replicationRolePolicy)
	require.NotNil(t, r, "the replication role's inline policy; records: %v", Keys(recs))
	d, err := policy.Parse(r.Inputs["policy"].(string))
	require.NoError(t, err)
	return d
}

func statementBySid(t *testing.T, d policy.Document, sid string) policy.Statement {
	t.Helper()
	s, ok := d.StatementBySid(sid)
	require.True(t, ok, "statement %s", sid)
	return s
}

// op is one line of the fake AWS's operations log (fakeaws.OpRecord).
type op struct {
	Op     string `json:"op"`
	URN    string `json:"urn"`
	ID     string `json:"id"`
	Region string `json:"region"`
}

func (o op) String() string { return o.Op + " " + string(urn.URN(o.URN).Type()) + " " + o.ID }

func readOps(t *testing.T, path string) []op {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var ops []op
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var o op
		require.NoError(t, json.Unmarshal(sc.Bytes(), &o))
		ops = append(ops, o)
	}
	require.NoError(t, sc.Err())
	return ops
}

// firstIndex and lastIndex find an operation ("" for any) on a type in the log, -1 when there is none.
func firstIndex(ops []op, kind, typ string) int {
	for i, o := range ops {
		if (kind == "" || o.Op == kind) && string(urn.URN(o.URN).Type()) == typ {
			return i
		}
	}
	return -1
}

func lastIndex(ops []op, kind, typ string) int {
	for i := len(ops) - 1; i >= 0; i-- {
		if (kind == "" || ops[i].Op == kind) && string(urn.URN(ops[i].URN).Type()) == typ {
			return i
		}
	}
	return -1
}
