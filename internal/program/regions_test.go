package program_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/catalog"
	"log-archive/internal/plan"
	"log-archive/internal/policy"
	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

// Source side: one source stack serves buckets in several Regions of its account (one role, one
// provider per extra Region), and past the role's inline budget its grants move into managed policies.

const (
	tProvider         = "pulumi:providers:aws"
	tManagedPolicy    = "aws:iam/policy:Policy"
	tPolicyAttachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
)

func keyIn(region string, n int) string {
	return fmt.Sprintf("arn:aws:kms:%s:222222222222:key/aaaaaaaa-1111-2222-3333-%012d", region, n)
}

// multiRegionConfig is sourceConfig (us-east-2) with an existing bucket in eu-central-1 and a log bucket in
// us-west-2, replicating into the archive in eu-west-1.
func multiRegionConfig() map[string]string {
	return with(sourceConfig(),
		"log-archive:sourceBuckets", `[
			{"name": "trail-logs", "kmsKeyArns": ["`+keyIn("us-east-2", 1)+`"], "prefix": "AWSLogs/"},
			{"name": "eu-app-logs", "region": "eu-central-1", "kmsKeyArns": ["`+keyIn("eu-central-1", 2)+`", "`+keyIn("eu-central-1", 3)+`"]}
		]`,
		"log-archive:logBuckets", `[{"name": "west-logs", "region": "us-west-2", "services": ["vpc-flow-logs", "guardduty"], "guardDutyDetectorId": "`+detector+`"}]`)
}

// Upgrading is a no-op for a stack that names no region: the fixture source stack plans to exactly what it
// planned before Regions and managed policies existed (testdata/source-before-regions.json was written by
// the program of commit b8c4bec): same URNs, inputs, dependencies and options, so `pulumi up` changes
// nothing. Writing region: <aws:region> on every entry changes nothing either.
func TestFleetSource_NoRegionPlansExactlyAsBefore_UpgradeIsANoOp(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "source-before-regions.json"))
	require.NoError(t, err)
	var before plan.Plan
	require.NoError(t, json.Unmarshal(data, &before))

	dir := testfixture.Project(t)
	now, err := plan.PlanStack(dir, "source", program.Program)
	require.NoError(t, err)
	// The replication alarms came later and are new resources; everything else is as before.
	var alarms int
	now.Steps = slices.DeleteFunc(now.Steps, func(s plan.Step) bool {
		if strings.Contains(s.URN, components.ReplicationAlarmsType) {
			alarms++
			return true
		}
		return false
	})
	require.Positive(t, alarms, "the alarms are there")
	// The permissions boundary came later too: each role gains it, an in-place update (the
	// catalogue does not list it as forcing a replacement); everything else is as before.
	var bounded int
	for _, s := range before.Steps {
		if s.NewState.Type == string(catalog.IAMRole) {
			s.NewState.Inputs["permissionsBoundary"] = "arn:aws:iam::222222222222:policy/log-archive/log-archive-role-boundary"
			bounded++
		}
	}
	require.Equal(t, 2, bounded, "the replication role and the backfill role")
	assert.Empty(t, catalog.ReplacedBy(catalog.IAMRole, []string{"permissionsBoundary"}), "gaining the boundary updates the role in place")
	assert.Equal(t, urnsOf(before.Steps), urnsOf(now.Steps), "the same resources, by URN")
	// C1: the log bucket keys gained CloudTrail's kms:Decrypt for the Bucket Key, an in-place
	// update of the key policy; without that statement every input is as before.
	assert.Equal(t, normalised(t, before.Steps), normalised(t, withoutCloudTrailDecrypt(t, now.Steps)), "the same inputs, dependencies and options")
	assert.Equal(t, before.Outputs["replicationRoleArn"], now.Outputs["replicationRoleArn"])

	// The same stack with its Region written out on every entry.
	st, err := plan.LoadStack(dir, "source")
	require.NoError(t, err)
	for _, key := range []string{"log-archive:sourceBuckets", "log-archive:logBuckets"} {
		var entries []map[string]any
		require.NoError(t, json.Unmarshal([]byte(st.Config[key]), &entries))
		for _, e := range entries {
			e["region"] = st.Config["aws:region"]
		}
		b, err := json.Marshal(entries)
		require.NoError(t, err)
		st.Config[key] = string(b)
	}
	explicit, err := plan.Run(st, program.Program, map[string]map[string]any{
		st.Config["log-archive:destinationStack"]: mustPlan(t, dir, "destination").Outputs,
	})
	require.NoError(t, err)
	explicit.Steps = slices.DeleteFunc(explicit.Steps, func(s plan.Step) bool { return strings.Contains(s.URN, components.ReplicationAlarmsType) })
	assert.Equal(t, normalised(t, now.Steps), normalised(t, explicit.Steps), "region: aws:region is the default itself")
	assert.Empty(t, explicit.OfType(tProvider), "no provider for the stack's own Region")
}

// withoutCloudTrailDecrypt is steps with the CloudTrail kms:Decrypt statement taken out of every key
// policy; it fails the test when no key policy had one.
func withoutCloudTrailDecrypt(t *testing.T, steps []plan.Step) []plan.Step {
	t.Helper()
	out, decrypts := slices.Clone(steps), 0
	for i, s := range out {
		if s.NewState.Type != "aws:kms/key:Key" {
			continue
		}
		d, err := policy.Parse(s.NewState.Inputs["policy"].(string))
		require.NoError(t, err)
		d.Statement = slices.DeleteFunc(d.Statement, func(st policy.Statement) bool { return st.Sid == components.SidCloudTrailDecrypts })
		if policy, _ := d.JSON(); policy != s.NewState.Inputs["policy"] {
			decrypts++
			out[i].NewState.Inputs = maps.Clone(s.NewState.Inputs)
			out[i].NewState.Inputs["policy"] = policy
		}
	}
	require.Positive(t, decrypts, "a CloudTrail log bucket's key grants kms:Decrypt")
	return out
}

func mustPlan(t *testing.T, dir, stack string) *plan.Plan {
	t.Helper()
	p, err := plan.PlanStack(dir, stack, program.Program)
	require.NoError(t, err)
	return p
}

func urnsOf(steps []plan.Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.URN)
	}
	return out
}

// normalised is the steps as JSON values, so that a plan read from a file and one made now compare equal.
func normalised(t *testing.T, steps []plan.Step) any {
	t.Helper()
	b, err := json.Marshal(steps)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

// R1.13, R1.14, R1.16: the role decrypts each Region's source keys only through S3 in that Region, one
// statement per Region, each naming exactly the keys and encryption contexts of its Region's buckets; the
// archive key keeps the archive's Region, wherever the sources are.
func TestFleetSource_MultiRegionRolePolicyHasADecryptStatementPerRegion_R1_13_R1_14(t *testing.T) {
	refs := archiveOutputs(t, destinationConfig())
	p, err := runStack(t, "workload-a", multiRegionConfig(), refs)
	require.NoError(t, err)
	archiveKey := refs[destinationRef]["archiveKeyArn"].(string)
	westKey := p.Outputs["logBuckets"].(map[string]any)["west-logs"].(map[string]any)["keyArn"].(string)
	require.True(t, strings.HasPrefix(westKey, "arn:aws:kms:us-west-2:222222222222:key/"), "the log bucket's key is in its Region: %s", westKey)

	d := policyInput(t, mustStep(t, p, tRolePolicy, "source-role-policy"), "policy")
	want := []policy.Statement{
		{Sid: components.SidReadSourceConfiguration, Effect: "Allow", Action: policy.Strings{"s3:GetReplicationConfiguration", "s3:ListBucket"},
			Resource: policy.Strings{"arn:aws:s3:::trail-logs", "arn:aws:s3:::eu-app-logs", "arn:aws:s3:::west-logs"}},
		{Sid: components.SidReadSourceVersions, Effect: "Allow", Action: policy.Strings{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"},
			Resource: policy.Strings{"arn:aws:s3:::trail-logs/*", "arn:aws:s3:::eu-app-logs/*", "arn:aws:s3:::west-logs/*"}},
		{Sid: components.SidReplicateIntoArchive, Effect: "Allow", Action: policy.Strings(policy.ArchiveObjectActions),
			Resource: policy.Strings{"arn:aws:s3:::acme-log-archive/*"}},
		{Sid: "DecryptSourceObjects", Effect: "Allow", Action: policy.Strings{"kms:Decrypt"},
			Resource: policy.Strings{keyIn("us-east-2", 1)},
			Condition: policy.Conditions{
				"StringEquals": {"kms:ViaService": {"s3.us-east-2.amazonaws.com"}},
				"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::trail-logs", "arn:aws:s3:::trail-logs/*"}},
			}},
		{Sid: "DecryptSourceObjectsEuCentral1", Effect: "Allow", Action: policy.Strings{"kms:Decrypt"},
			Resource: policy.Strings{keyIn("eu-central-1", 2), keyIn("eu-central-1", 3)},
			Condition: policy.Conditions{
				"StringEquals": {"kms:ViaService": {"s3.eu-central-1.amazonaws.com"}},
				"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::eu-app-logs", "arn:aws:s3:::eu-app-logs/*"}},
			}},
		{Sid: "DecryptSourceObjectsUsWest2", Effect: "Allow", Action: policy.Strings{"kms:Decrypt"},
			Resource: policy.Strings{westKey},
			Condition: policy.Conditions{
				"StringEquals": {"kms:ViaService": {"s3.us-west-2.amazonaws.com"}},
				"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::west-logs", "arn:aws:s3:::west-logs/*"}},
			}},
		{Sid: components.SidEncryptReplicas, Effect: "Allow", Action: policy.Strings(policy.ReplicaKeyActions),
			Resource: policy.Strings{archiveKey},
			Condition: policy.Conditions{
				"StringEquals": {"kms:ViaService": {"s3.eu-west-1.amazonaws.com"}},
				"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::acme-log-archive", "arn:aws:s3:::acme-log-archive/*"}},
			}},
	}
	assert.Equal(t, want, d.Statement)
	assert.Empty(t, p.OfType(tManagedPolicy), "three buckets fit the inline policy")
}

// One role and one backfill role for every Region (IAM is global); one provider per Region other than the
// stack's, built by the program (a stack-level resource), pinned to this account, through which that
// Region's buckets, versioning, replication configurations and log buckets (key and bucket alike, G1) are
// created.
func TestFleetSource_OneProviderPerExtraRegion_OneRole(t *testing.T) {
	p, err := runStack(t, "workload-a", multiRegionConfig(), archiveOutputs(t, destinationConfig()))
	require.NoError(t, err)
	providers := map[string]string{} // Region -> provider reference (URN::ID)
	for _, s := range p.OfType(tProvider) {
		assert.Equal(t, "urn:pulumi:workload-a::log-archive::pulumi:pulumi:Stack::log-archive-workload-a", s.NewState.Parent)
		region := s.NewState.Inputs["region"].(string)
		assert.Equal(t, "aws-"+region, s.Name())
		assert.Contains(t, fmt.Sprint(s.NewState.Inputs["allowedAccountIds"]), sourceAccount, "a credential for another account fails in every Region")
		providers[region] = s.URN + "::" + region + "-"
	}
	require.Len(t, providers, 2)
	require.Contains(t, providers, "eu-central-1")
	require.Contains(t, providers, "us-west-2")
	providerOf := func(s plan.Step) string {
		for region, ref := range providers {
			if strings.HasPrefix(s.NewState.Provider, ref) {
				return region
			}
		}
		require.Empty(t, s.NewState.Provider, "%s has an unknown provider", s.Name())
		return "us-east-2"
	}
	assert.Len(t, p.OfType(tRole), 2, "the replication role and the backfill role, once")
	for _, s := range p.Creates() {
		if !s.NewState.Custom || s.NewState.Type == tProvider {
			continue
		}
		want := "us-east-2"
		switch {
		case strings.Contains(s.Name(), "eu-app-logs"), strings.Contains(s.Name(), "-eu-central-1-"):
			want = "eu-central-1"
		case strings.Contains(s.Name(), "west-logs"), strings.Contains(s.Name(), "-us-west-2-"):
			want = "us-west-2"
		}
		assert.Equal(t, want, providerOf(s), "%s %s", s.NewState.Type, s.Name())
	}
	assert.Equal(t, map[string]any{"trail-logs": "us-east-2", "eu-app-logs": "eu-central-1", "west-logs": "us-west-2"}, p.Outputs["bucketRegions"])

	// G1: the log bucket's policies name its own Region's detector; serviceRegion defaults to it.
	key := policyInput(t, mustStep(t, p, tKey, "source-west-logs-key"), "policy")
	gd := statementOf(t, key, components.SidGuardDutyEncrypts)
	assert.Equal(t, policy.Strings{"arn:aws:guardduty:us-west-2:222222222222:detector/" + detector}, gd.Condition["StringEquals"]["aws:SourceArn"])
}

// A bad region is refused with the stack file, the key, the value and the fix, before anything is read or
// created; a key must be in its bucket's Region, and serviceRegion keeps its meaning relative to the log
// bucket's region (G1).
func TestFleetSource_BadRegionInputsAreRefused(t *testing.T) {
	src := func(extra string) string {
		return `[{"name": "a-logs", "kmsKeyArns": ["` + keyIn("eu-central-1", 1) + `"]` + extra + `}]`
	}
	logs := func(extra string) string {
		return `[{"name": "b-logs", "services": ["guardduty"], "guardDutyDetectorId": "` + detector + `"` + extra + `}]`
	}
	tests := []struct {
		name string
		cfg  map[string]string
		want []string
	}{
		{"a Region that does not exist", with(sourceConfig(), "log-archive:sourceBuckets", src(`, "region": "eu-central-9"`)),
			[]string{`Pulumi.workload-a.yaml: log-archive:sourceBuckets[0].region = "eu-central-9": is not an AWS Region (none of eu-central-1, eu-central-2)`,
				"Fix: use the Region the bucket is in, a Region code such as eu-central-1, or remove region for the stack's Region us-east-2"}},
		{"not a Region code", with(sourceConfig(), "log-archive:logBuckets", logs(`, "region": "Frankfurt"`)),
			[]string{`log-archive:logBuckets[0].region = "Frankfurt": is not an AWS Region code like eu-west-1`,
				"Fix: use the Region to create the bucket and its key in"}},
		{"another partition", with(sourceConfig(), "log-archive:sourceBuckets", src(`, "region": "cn-north-1"`)),
			[]string{`log-archive:sourceBuckets[0].region = "cn-north-1": is in partition aws-cn, but aws:region (us-east-2) is in aws`,
				"Fix: replicate this bucket from a source stack in partition aws-cn"}},
		{"a key in the stack's Region for a bucket elsewhere (R1.13)", with(sourceConfig(), "log-archive:sourceBuckets",
			`[{"name": "a-logs", "region": "eu-central-1", "kmsKeyArns": ["`+keyIn("us-east-2", 1)+`"]}]`),
			[]string{`log-archive:sourceBuckets[0].kmsKeyArns[0] = "` + keyIn("us-east-2", 1) + `": is in Region us-east-2, not eu-central-1`,
				"Fix: give the full ARN of a key in this account and the bucket's Region, arn:aws:kms:eu-central-1:222222222222:key/<key-id> (this entry's region, not aws:region us-east-2)"}},
		{"a key in another Region without region", with(sourceConfig(), "log-archive:sourceBuckets", src("")),
			[]string{`log-archive:sourceBuckets[0].kmsKeyArns[0]`, "is in Region eu-central-1, not us-east-2"}},
		{"an adopted key outside the log bucket's Region", with(sourceConfig(), "log-archive:logBuckets", logs(`, "region": "eu-central-1", "adoptKeyArn": "`+keyIn("us-east-2", 4)+`"`)),
			[]string{`log-archive:logBuckets[0].adoptKeyArn`, "is in Region us-east-2, not eu-central-1", "arn:aws:kms:eu-central-1:222222222222:key/<key-id> (this entry's region, not aws:region us-east-2)"}},
		{"GuardDuty from a default Region into a log bucket in an opt-in Region (G1)", with(sourceConfig(), "log-archive:logBuckets", logs(`, "region": "af-south-1", "serviceRegion": "us-east-2"`)),
			[]string{`log-archive:logBuckets[0].serviceRegion = "us-east-2": is enabled by default, and GuardDuty cannot export findings from such a Region to a bucket in af-south-1, an opt-in Region (G1)`,
				"Fix: set this log bucket's region to us-east-2"}},
		{"GuardDuty into an opt-in Region without serviceRegion is that Region's own (G1)", nil, nil},
	}
	refs := archiveOutputs(t, destinationConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cfg == nil {
				p, err := runStack(t, "workload-a", with(sourceConfig(), "log-archive:logBuckets", logs(`, "region": "af-south-1"`)), refs)
				require.NoError(t, err)
				d := policyInput(t, mustStep(t, p, tKey, "source-b-logs-key"), "policy")
				assert.Equal(t, policy.Strings{"guardduty.af-south-1.amazonaws.com"}, statementOf(t, d, components.SidGuardDutyEncrypts).Principal.Service)
				return
			}
			p, err := runStack(t, "workload-a", tt.cfg, refs)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, p.Steps, "refused before the archive stack is even read")
		})
	}
}

// fleetConfig is a source account with buckets spread over regions: n buckets, every third a log bucket
// (VPC Flow Logs) and the others existing buckets with a key each, named like a real fleet's
// (acme-workload-a-app-logs-eu-central-1-07, 40 characters).
func fleetConfig(n int, regions []string) map[string]string {
	var src, logs []string
	for i := range n {
		r := regions[i%len(regions)]
		region := ""
		if r != regions[0] {
			region = `, "region": "` + r + `"`
		}
		if i%3 == 2 {
			logs = append(logs, fmt.Sprintf(`{"name": "acme-workload-a-vpc-logs-%s-%02d", "services": ["vpc-flow-logs"]%s}`, r, i, region))
		} else {
			src = append(src, fmt.Sprintf(`{"name": "acme-workload-a-app-logs-%s-%02d", "kmsKeyArns": ["%s"]%s}`, r, i, keyIn(r, i), region))
		}
	}
	cfg := with(sourceConfig(), "aws:region", regions[0], "log-archive:sourceBuckets", "["+strings.Join(src, ",")+"]")
	if len(logs) > 0 {
		cfg["log-archive:logBuckets"] = "[" + strings.Join(logs, ",") + "]"
	}
	return cfg
}

var fiveRegions = []string{"us-east-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "us-west-2"}

// §6 and IAM's quotas: 100 buckets in 5 Regions (existing and log buckets) replicate from one account. The
// role keeps the archive's statements inline and each bucket's grants sit in the one managed policy its
// name hashes to (at most 10, each within 6,144 characters); the backfill role likewise. Every
// replication configuration waits for every grant (R5.9), and the inline policy, which shrinks, waits for
// the attachments, so an existing role never loses a grant on the way.
func TestFleetSource_100BucketsIn5RegionsFitManagedPolicies(t *testing.T) {
	lockedArchive := archiveOutputs(t, with(destinationConfig(), "log-archive:objectLock", `{"mode":"GOVERNANCE","days":30}`))
	p, err := runStack(t, "workload-a", fleetConfig(100, fiveRegions), lockedArchive)
	require.NoError(t, err)

	for _, pol := range p.Policies() {
		assert.LessOrEqual(t, pol.Bytes(), pol.Limit, "%s (%s)", pol.Resource, pol.Label)
	}
	inline := mustStep(t, p, tRolePolicy, "source-role-policy")
	d := policyInput(t, inline, "policy")
	var sids []string
	for _, s := range d.Statement {
		sids = append(sids, s.Sid)
	}
	assert.Equal(t, []string{components.SidReplicateIntoArchive, components.SidEncryptReplicas}, sids, "only the archive's statements stay inline")
	_, backfillInline := p.Named(tRolePolicy, "source-backfill-role-policy")
	assert.False(t, backfillInline, "the backfill role's grants are all in managed policies")
	assert.Len(t, p.OfType(tProvider), 4)

	// Every bucket is granted in exactly one managed policy of each role: the one its name hashes to.
	var roleGrants []string
	granted := map[string][]string{} // bucket ARN -> policies naming it
	for _, pol := range p.OfType(tManagedPolicy) {
		doc := policyInput(t, pol, "policy")
		for _, st := range doc.Statement {
			if st.Sid == components.SidReadSourceConfiguration || st.Sid == components.SidGenerateManifest {
				for _, arn := range st.Resource {
					granted[arn] = append(granted[arn], pol.Name())
				}
			}
		}
		attachment := mustStep(t, p, tPolicyAttachment, pol.Name()+"-attachment")
		if strings.HasPrefix(pol.Name(), "source-role-policy-") {
			assert.Equal(t, "log-archive-replication", attachment.NewState.Inputs["role"])
			roleGrants = append(roleGrants, attachment.URN)
			assert.Contains(t, inline.NewState.Dependencies, attachment.URN, "the inline policy shrinks only after %s is attached", pol.Name())
		}
		assert.Contains(t, attachment.NewState.Dependencies, pol.URN)
	}
	assert.NotEmpty(t, roleGrants)
	assert.LessOrEqual(t, len(roleGrants), components.MaxAttachedPolicies)
	assert.Len(t, granted, 100)
	for arn, policies := range granted {
		require.Len(t, policies, 2, "%s: once in the replication role's policies, once in the backfill role's", arn)
	}
	roleGrants = append(roleGrants, inline.URN)
	repls := p.OfType(tReplication)
	require.Len(t, repls, 100)
	for _, r := range repls {
		for _, g := range roleGrants {
			assert.Contains(t, r.NewState.Dependencies, g, "%s waits for every grant of the role (R5.9)", r.Name())
		}
	}
}

// The size error says exactly how many buckets fit with the user's own names and keys: the first n
// plan, the first n+1 do not, and nothing is created.
func TestFleetSource_SizeErrorSaysExactlyHowManyBucketsFit(t *testing.T) {
	refs := archiveOutputs(t, destinationConfig())
	_, err := runStack(t, "workload-a", fleetConfig(400, fiveRegions), refs)
	require.Error(t, err)
	var fit int
	_, scanErr := fmt.Sscanf(err.Error()[strings.Index(err.Error(), "the first "):], "the first %d of the 400 buckets fit", &fit)
	require.NoError(t, scanErr, err.Error())
	assert.Contains(t, err.Error(), "Pulumi.workload-a.yaml: log-archive:sourceBuckets and log-archive:logBuckets = (400 buckets): the replication role's permissions for 400 buckets do not fit IAM's quotas")
	assert.Contains(t, err.Error(), fmt.Sprintf("Fix: list at most %d buckets in this account's stack", fit))
	assert.Greater(t, fit, 100)

	// fleetConfig puts existing buckets first in the count (sourceBuckets, then logBuckets), so the first
	// n buckets are the first n of that order.
	firstN := func(n int) map[string]string {
		cfg := fleetConfig(400, fiveRegions)
		var src, logs []json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(cfg["log-archive:sourceBuckets"]), &src))
		require.NoError(t, json.Unmarshal([]byte(cfg["log-archive:logBuckets"]), &logs))
		all := slices.Concat(src, logs)[:n]
		ns := min(n, len(src))
		b1, _ := json.Marshal(all[:ns])
		cfg["log-archive:sourceBuckets"] = string(b1)
		delete(cfg, "log-archive:logBuckets")
		if n > ns {
			b2, _ := json.Marshal(all[ns:])
			cfg["log-archive:logBuckets"] = string(b2)
		}
		return cfg
	}
	_, err = runStack(t, "workload-a", firstN(fit), refs)
	require.NoError(t, err, "the first %d fit", fit)
	p, err := runStack(t, "workload-a", firstN(fit+1), refs)
	require.Error(t, err, "the first %d do not", fit+1)
	assert.Contains(t, err.Error(), fmt.Sprintf("the first %d of the %d buckets fit", fit, fit+1))
	assert.Empty(t, p.Creates())
}
