package components

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/awsid"
	"log-archive/internal/policy"
)

const (
	testDetector = "6ac1f2e3d4b5a69788796a5b4c3d2e1f"
	testTrail    = "arn:aws:cloudtrail:us-east-2:222222222222:trail/management-events"
	testDetArn   = "arn:aws:guardduty:us-east-2:222222222222:detector/" + testDetector
)

func logBucketArgs(services ...LogService) *SourceLogBucketArgs {
	b := LogBucket{Name: "acme-a-logs", Services: services}
	for _, s := range services {
		switch s {
		case GuardDuty:
			b.GuardDutyDetectorID = testDetector
		case CloudTrail:
			b.TrailNames = []string{"management-events"}
		}
	}
	return &SourceLogBucketArgs{AccountID: "222222222222", Region: "us-east-2", Bucket: b}
}

// The statements each service adds, written out as AWS documents them (G1, C1, V1), independent of the
// code that builds them.
var (
	wantKeyStatements = map[LogService][]policy.Statement{
		GuardDuty: {{
			Sid: "GuardDutyEncryptsFindings", Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{"guardduty.amazonaws.com"}},
			Action:    policy.Strings{"kms:GenerateDataKey"}, Resource: policy.Strings{"*"},
			Condition: policy.Conditions{"StringEquals": {"aws:SourceAccount": {"222222222222"}, "aws:SourceArn": {testDetArn}}},
		}},
		CloudTrail: {{
			Sid: "CloudTrailEncryptsLogs", Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{"cloudtrail.amazonaws.com"}},
			Action:    policy.Strings{"kms:GenerateDataKey*"}, Resource: policy.Strings{"*"},
			Condition: policy.Conditions{
				"StringEquals": {"aws:SourceAccount": {"222222222222"}, "aws:SourceArn": {testTrail}},
				"StringLike":   {"kms:EncryptionContext:aws:cloudtrail:arn": {"arn:aws:cloudtrail:*:222222222222:trail/*"}},
			},
		}, {
			Sid: "CloudTrailDescribesKey", Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{"cloudtrail.amazonaws.com"}},
			Action:    policy.Strings{"kms:DescribeKey"}, Resource: policy.Strings{"*"},
			Condition: policy.Conditions{"StringEquals": {"aws:SourceAccount": {"222222222222"}, "aws:SourceArn": {testTrail}}},
		}, {
			// C1: with the log bucket's S3 Bucket Key, CloudTrail needs kms:Decrypt, for its trails only.
			Sid: "CloudTrailDecryptsWithBucketKey", Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{"cloudtrail.amazonaws.com"}},
			Action:    policy.Strings{"kms:Decrypt"}, Resource: policy.Strings{"*"},
			Condition: policy.Conditions{"StringEquals": {"aws:SourceAccount": {"222222222222"}, "aws:SourceArn": {testTrail}}},
		}},
		VPCFlowLogs: {{
			Sid: "VPCFlowLogsUseKey", Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{"delivery.logs.amazonaws.com"}},
			Action:    policy.Strings{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"},
			Resource:  policy.Strings{"*"},
			Condition: policy.Conditions{
				"StringEquals": {"aws:SourceAccount": {"222222222222"}},
				"ArnLike":      {"aws:SourceArn": {"arn:aws:logs:us-east-2:222222222222:*"}},
			},
		}},
	}
	wantBucketStatements = map[LogService][]policy.Statement{
		GuardDuty: {{
			Sid: "GuardDutyGetsBucketLocation", Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{"guardduty.amazonaws.com"}},
			Action:    policy.Strings{"s3:GetBucketLocation"}, Resource: policy.Strings{"arn:aws:s3:::acme-a-logs"},
			Condition: policy.Conditions{"StringEquals": {"aws:SourceAccount": {"222222222222"}, "aws:SourceArn": {testDetArn}}},
		}, {
			Sid: "GuardDutyWritesFindings", Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{"guardduty.amazonaws.com"}},
			Action:    policy.Strings{"s3:PutObject"}, Resource: policy.Strings{"arn:aws:s3:::acme-a-logs/*"},
			Condition: policy.Conditions{"StringEquals": {"aws:SourceAccount": {"222222222222"}, "aws:SourceArn": {testDetArn}}},
		}},
		CloudTrail: {{
			Sid: "CloudTrailChecksBucketAcl", Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{"cloudtrail.amazonaws.com"}},
			Action:    policy.Strings{"s3:GetBucketAcl"}, Resource: policy.Strings{"arn:aws:s3:::acme-a-logs"},
			Condition: policy.Conditions{"StringEquals": {"aws:SourceAccount": {"222222222222"}, "aws:SourceArn": {testTrail}}},
		}, {
			Sid: "CloudTrailWritesLogs", Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{"cloudtrail.amazonaws.com"}},
			Action:    policy.Strings{"s3:PutObject"}, Resource: policy.Strings{"arn:aws:s3:::acme-a-logs/AWSLogs/222222222222/*"},
			Condition: policy.Conditions{"StringEquals": {
				"aws:SourceAccount": {"222222222222"}, "aws:SourceArn": {testTrail}, "s3:x-amz-acl": {"bucket-owner-full-control"},
			}},
		}},
		VPCFlowLogs: {{
			Sid: "VPCFlowLogsCheckBucketAcl", Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{"delivery.logs.amazonaws.com"}},
			Action:    policy.Strings{"s3:GetBucketAcl", "s3:ListBucket"}, Resource: policy.Strings{"arn:aws:s3:::acme-a-logs"}, // V1: AWS's exact statement
			Condition: policy.Conditions{
				"StringEquals": {"aws:SourceAccount": {"222222222222"}},
				"ArnLike":      {"aws:SourceArn": {"arn:aws:logs:us-east-2:222222222222:*"}},
			},
		}, {
			Sid: "VPCFlowLogsWriteLogs", Effect: "Allow",
			Principal: &policy.Principal{Service: policy.Strings{"delivery.logs.amazonaws.com"}},
			Action:    policy.Strings{"s3:PutObject"}, Resource: policy.Strings{"arn:aws:s3:::acme-a-logs/AWSLogs/222222222222/*"},
			Condition: policy.Conditions{
				"StringEquals": {"aws:SourceAccount": {"222222222222"}, "s3:x-amz-acl": {"bucket-owner-full-control"}},
				"ArnLike":      {"aws:SourceArn": {"arn:aws:logs:us-east-2:222222222222:*"}},
			},
		}},
	}
	wantAccountAdmin = policy.Statement{
		Sid: "SourceAccountAdministersKey", Effect: "Allow",
		Principal: &policy.Principal{AWS: policy.Strings{"arn:aws:iam::222222222222:root"}},
		Action:    policy.Strings{"kms:*"}, Resource: policy.Strings{"*"},
	}
	wantDenyHTTP = policy.Statement{
		Sid: "DenyInsecureTransport", Effect: "Deny", Principal: &policy.Principal{Everyone: true},
		Action:    policy.Strings{"s3:*"},
		Resource:  policy.Strings{"arn:aws:s3:::acme-a-logs", "arn:aws:s3:::acme-a-logs/*"},
		Condition: policy.Conditions{"Bool": {"aws:SecureTransport": {"false"}}},
	}
)

// roundTrip returns the statements as AWS would receive them.
func roundTrip(t *testing.T, d policy.Document) []policy.Statement {
	t.Helper()
	s, err := d.JSON()
	require.NoError(t, err)
	parsed, err := policy.Parse(s)
	require.NoError(t, err)
	return parsed.Statement
}

// Every combination of services gets exactly its services' statements: nothing for a service not named.
func TestLogBucketPolicies_G1_C1_V1_ExactlyTheNamedServices(t *testing.T) {
	combos := [][]LogService{
		{GuardDuty}, {CloudTrail}, {VPCFlowLogs},
		{GuardDuty, CloudTrail}, {CloudTrail, VPCFlowLogs}, {GuardDuty, VPCFlowLogs},
		{GuardDuty, CloudTrail, VPCFlowLogs},
	}
	for _, services := range combos {
		t.Run(serviceList(services), func(t *testing.T) {
			args := logBucketArgs(services...)
			require.NoError(t, args.Validate())
			wantKey := []policy.Statement{wantAccountAdmin}
			var wantBucket []policy.Statement
			for _, s := range LogServices { // policies list services in a fixed order
				if args.Bucket.Serves(s) {
					wantKey = append(wantKey, wantKeyStatements[s]...)
					wantBucket = append(wantBucket, wantBucketStatements[s]...)
				}
			}
			wantBucket = append(wantBucket, wantDenyHTTP)
			assert.Equal(t, wantKey, roundTrip(t, logBucketKeyPolicy(args)))
			assert.Equal(t, wantBucket, roundTrip(t, logBucketPolicy(args)))
		})
	}
}

func TestLogBucketPolicies_ServiceRegionAndSeveralTrails(t *testing.T) {
	args := logBucketArgs(GuardDuty, CloudTrail, VPCFlowLogs)
	args.Bucket.ServiceRegion = "eu-central-1"
	args.Bucket.TrailNames = []string{"management-events", "data-events"}
	trails := policy.Strings{
		"arn:aws:cloudtrail:eu-central-1:222222222222:trail/management-events",
		"arn:aws:cloudtrail:eu-central-1:222222222222:trail/data-events",
	}
	key, bucket := logBucketKeyPolicy(args), logBucketPolicy(args)
	assert.Equal(t, policy.Strings{"arn:aws:guardduty:eu-central-1:222222222222:detector/" + testDetector},
		statement(t, key, SidGuardDutyEncrypts).Condition["StringEquals"]["aws:SourceArn"])
	assert.Equal(t, trails, statement(t, key, sidCloudTrailEncrypts).Condition["StringEquals"]["aws:SourceArn"])
	assert.Equal(t, trails, statement(t, key, SidCloudTrailDecrypts).Condition["StringEquals"]["aws:SourceArn"], "C1: Decrypt for the named trails only")
	assert.Equal(t, trails, statement(t, bucket, sidCloudTrailWrites).Condition["StringEquals"]["aws:SourceArn"])
	assert.Equal(t, policy.Strings{"arn:aws:logs:eu-central-1:222222222222:*"},
		statement(t, bucket, sidVPCFlowLogsWrite).Condition["ArnLike"]["aws:SourceArn"])
	// The bucket itself stays in the stack's Region; only the services' ARNs move.
	assert.Equal(t, policy.Strings{"arn:aws:s3:::acme-a-logs/AWSLogs/222222222222/*"}, statement(t, bucket, sidVPCFlowLogsWrite).Resource)
}

// C1: DescribeKey carries no encryption context, so a context condition on it would refuse CloudTrail.
func TestLogBucketKeyPolicy_C1_DescribeKeyHasNoEncryptionContextCondition(t *testing.T) {
	s := statement(t, logBucketKeyPolicy(logBucketArgs(CloudTrail)), sidCloudTrailDescribesKey)
	assert.NotContains(t, s.Condition, "StringLike")
	assert.Equal(t, policy.Strings{"kms:DescribeKey"}, s.Action)
}

func TestLogBucket_ValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(b *LogBucket)
		want   string
	}{
		{"no service", func(b *LogBucket) { b.Services = nil }, "Services: no service is named"},
		{"unknown service", func(b *LogBucket) { b.Services = append(b.Services, "waf") }, `Services[3]: "waf" is not a log service`},
		{"service twice", func(b *LogBucket) { b.Services = append(b.Services, CloudTrail) }, `Services[3]: "cloudtrail" is named twice`},
		{"guardduty without detector", func(b *LogBucket) { b.GuardDutyDetectorID = "" }, "GuardDutyDetectorID: guardduty is named but its detector is not"},
		{"detector too short", func(b *LogBucket) { b.GuardDutyDetectorID = "6ac1f2e3" }, "is not a GuardDuty detector ID"},
		{"detector upper case", func(b *LogBucket) { b.GuardDutyDetectorID = strings.ToUpper(testDetector) }, "is not a GuardDuty detector ID"},
		{"detector ARN", func(b *LogBucket) { b.GuardDutyDetectorID = testDetArn }, "is an ARN; give the detector ID alone"},
		{"detector without guardduty", func(b *LogBucket) { b.Services = []LogService{CloudTrail} }, `GuardDutyDetectorID: "` + testDetector + `" is set but guardduty is not among the services`},
		{"cloudtrail without trails", func(b *LogBucket) { b.TrailNames = nil }, "TrailNames: cloudtrail is named but no trail is"},
		{"trails without cloudtrail", func(b *LogBucket) { b.Services = []LogService{GuardDuty} }, `TrailNames: ["management-events"] are set but cloudtrail is not among the services`},
		{"trail name with a space", func(b *LogBucket) { b.TrailNames = []string{"my trail"} }, "is not a CloudTrail trail name"},
		{"trail name with adjacent dashes", func(b *LogBucket) { b.TrailNames = []string{"my--trail"} }, "two periods, underscores or dashes in a row"},
		{"trail ARN", func(b *LogBucket) { b.TrailNames = []string{testTrail} }, "is an ARN; give the trail name alone"},
		{"trail twice", func(b *LogBucket) { b.TrailNames = []string{"a-trail", "a-trail"} }, `TrailNames[1]: "a-trail" is listed twice`},
		{"bad service Region", func(b *LogBucket) { b.ServiceRegion = "Europe" }, "ServiceRegion"},
		{"service Region in another partition", func(b *LogBucket) { b.ServiceRegion = "cn-north-1" }, "cannot write across partitions"},
		{"bad bucket name", func(b *LogBucket) { b.Name = "Acme_Logs" }, "Name:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := logBucketArgs(GuardDuty, CloudTrail, VPCFlowLogs)
			require.NoError(t, args.Validate())
			tt.change(&args.Bucket)
			err := args.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestValidateTrailNameAndDetectorID(t *testing.T) {
	for name, ok := range map[string]bool{
		"management-events": true, "a.b_c-d": true, "abc": true, strings.Repeat("a", 128): true,
		"ab": false, strings.Repeat("a", 129): false, "-trail": false, "trail_": false, "my-_trail": false,
		"my..trail": false, "192.168.5.4": false, "trail/name": false,
	} {
		assert.Equal(t, ok, awsid.ValidateTrailName(name) == nil, "trail name %q", name)
	}
	assert.NoError(t, awsid.ValidateGuardDutyDetectorID(testDetector))
	assert.Error(t, awsid.ValidateGuardDutyDetectorID(testDetector+"0"))
}

func TestLogBucket_KeyAliasIsUniquePerBucket(t *testing.T) {
	b := LogBucket{Name: "acme.logs"}
	assert.Equal(t, "alias/log-archive/acme_logs", b.KeyAlias())
	assert.NoError(t, awsid.ValidateKeyAlias(b.KeyAlias()))
	assert.NotEqual(t, b.KeyAlias(), (&LogBucket{Name: "acme-logs"}).KeyAlias())
}

// The role policy is measured before the log bucket keys exist; the stand-in must be exactly as long as
// the ARN AWS assigns, or the size check would pass a policy IAM rejects.
func TestReplicationRolePolicy_LogBucketKeyStandInHasTheRealLength(t *testing.T) {
	args := sourceArgs()
	args.LogBuckets = []LogBucket{logBucketArgs(VPCFlowLogs).Bucket}
	real := "arn:aws:kms:us-east-2:222222222222:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
	assert.Equal(t, replicationRolePolicy(args, []string{real}).Size(), replicationRolePolicy(args, nil).Size())
	d := replicationRolePolicy(args, []string{real})
	assert.Contains(t, statement(t, d, SidDecryptSourceObjects).Resource, real, "R1.13: the role decrypts with the log bucket's key")
	assert.Contains(t, statement(t, d, SidDecryptSourceObjects).Condition["StringLike"]["kms:EncryptionContext:aws:s3:arn"],
		"arn:aws:s3:::acme-a-logs/*", "R1.16")
	assert.Contains(t, statement(t, d, SidReadSourceVersions).Resource, "arn:aws:s3:::acme-a-logs/*")
}

func TestSourceReplicatorArgs_LogBucketNamesAreUnique(t *testing.T) {
	args := sourceArgs()
	args.LogBuckets = []LogBucket{logBucketArgs(VPCFlowLogs).Bucket}
	args.LogBuckets[0].Name = "trail-logs" // already an existing source bucket
	err := args.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `LogBuckets[0].Name: "trail-logs" is also listed at Buckets[0]`)

	args.LogBuckets[0].Name = args.Archive.BucketName
	require.ErrorContains(t, args.Validate(), "is the archive bucket itself")

	only := sourceArgs()
	only.Buckets = nil
	only.LogBuckets = []LogBucket{logBucketArgs(VPCFlowLogs).Bucket}
	assert.NoError(t, only.Validate(), "log buckets alone are a valid source")
}

// One adopted key on two log buckets would be imported as two resources.
func TestSourceReplicatorArgs_AnAdoptedKeyBelongsToOneLogBucket(t *testing.T) {
	const key = "arn:aws:kms:us-east-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	args := sourceArgs()
	a, b := logBucketArgs(VPCFlowLogs).Bucket, logBucketArgs(VPCFlowLogs).Bucket
	b.Name = "acme-b-logs"
	a.AdoptKeyArn, b.AdoptKeyArn = key, key
	args.LogBuckets = []LogBucket{a, b}
	require.ErrorContains(t, args.Validate(), `LogBuckets[1].AdoptKeyArn: "`+key+`" is also adopted at LogBuckets[0]: one key would be imported as two resources`)

	args.LogBuckets[1].AdoptKeyArn = strings.Replace(key, "1234abcd", "5678abcd", 1)
	assert.NoError(t, args.Validate(), "two adopted keys, one each")
	args.LogBuckets[0].AdoptKeyArn, args.LogBuckets[1].AdoptKeyArn = "", ""
	assert.NoError(t, args.Validate(), "two new keys")
}

func TestLogBucket_TooManyTrailsIsRefusedBeforeRegistration(t *testing.T) {
	args := logBucketArgs(CloudTrail)
	for i := range 400 {
		args.Bucket.TrailNames = append(args.Bucket.TrailNames, fmt.Sprintf("trail-number-%03d", i))
	}
	err := args.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the log bucket policy of acme-a-logs")
	assert.Contains(t, err.Error(), "name fewer trails")

	src := sourceArgs()
	src.LogBuckets = []LogBucket{args.Bucket}
	require.ErrorContains(t, src.Validate(), "LogBuckets[0].TrailNames: (401 trails) the log bucket policy of acme-a-logs")
}

func TestArchiveContract_ReplicationNeverCrossesPartitions(t *testing.T) {
	args := sourceArgs()
	args.Archive.Region = "cn-north-1"
	args.Archive.KeyArn = "arn:aws-cn:kms:cn-north-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	require.ErrorContains(t, args.Validate(), `Region: "us-east-2" is in partition aws, but the archive is in cn-north-1 (partition aws-cn); S3 does not replicate across partitions`)

	p1, p2, differ := awsid.DifferentPartitions("us-gov-west-1", "us-east-1")
	assert.Equal(t, []any{"aws-us-gov", "aws", true}, []any{p1, p2, differ})
	_, _, differ = awsid.DifferentPartitions("eu-west-1", "us-east-2")
	assert.False(t, differ)
	_, _, differ = awsid.DifferentPartitions("Europe", "cn-north-1")
	assert.False(t, differ, "an invalid Region is reported by its own check, not as a partition mismatch")
}
