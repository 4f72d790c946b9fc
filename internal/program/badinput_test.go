package program_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The classes of mistakes that passed the plan and failed in AWS, or silently replicated nothing, each
// with several cases written from the rule. Every rejection names the stack file, the key, the value and
// the fix, comes before anything is registered, and says what was expected in the stack file's terms.
func TestBadInput_ClassesRefusedBeforeAnyResource(t *testing.T) {
	const key = "arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444"
	prefixed := func(prefix string) map[string]string {
		return with(sourceConfig(), "log-archive:sourceBuckets", `[{"name": "trail-logs", "kmsKeyArns": ["`+key+`"], "prefix": "`+prefix+`"}]`)
	}
	admins := func(arns ...string) map[string]string {
		return with(destinationConfig(), "log-archive:keyAdministratorArns", `["`+strings.Join(arns, `","`)+`"]`)
	}
	for _, tc := range []struct {
		class, name string
		stack       string
		cfg         map[string]string
		want        []string
	}{
		// S3 compares replication prefixes literally: these match nothing the log services write.
		{"prefix", "leading slash", "workload-a", prefixed("/AWSLogs/"),
			[]string{`log-archive:sourceBuckets[0].prefix = "/AWSLogs/": starts with /`, "Fix: write the literal start of the object keys"}},
		{"prefix", "glob", "workload-a", prefixed("AWSLogs/*"),
			[]string{`log-archive:sourceBuckets[0].prefix = "AWSLogs/*": holds a wildcard`, "S3 prefixes are literal"}},
		{"prefix", "question mark", "workload-a", prefixed("AWSLogs/22222222222?/"), []string{"holds a wildcard"}},
		{"prefix", "S3 URI", "workload-a", prefixed("s3://trail-logs/AWSLogs/"), []string{"is a URI or an ARN"}},
		{"prefix", "object ARN", "workload-a", prefixed("arn:aws:s3:::trail-logs/AWSLogs/"), []string{"is a URI or an ARN"}},
		{"prefix", "bucket name in front", "workload-a", prefixed("trail-logs/AWSLogs/"),
			[]string{`"trail-logs/AWSLogs/": starts with the bucket's own name`, "e.g. AWSLogs/ or AWSLogs/222222222222/"}},

		// KMS refuses key policy principals with wildcards or from another partition (R3.3).
		{"key administrator", "wildcard role", "destination", admins("arn:aws:iam::111111111111:role/Security*"),
			[]string{`log-archive:keyAdministratorArns[0] = "arn:aws:iam::111111111111:role/Security*": holds a wildcard`}},
		{"key administrator", "wildcard user", "destination", admins("arn:aws:iam::111111111111:user/*"), []string{"holds a wildcard"}},
		{"key administrator", "China partition for an eu-west-1 key", "destination", admins("arn:aws-cn:iam::111111111111:role/Admin"),
			[]string{"keyAdministratorArns[0]", "is in partition aws-cn, but the key is in eu-west-1 (partition aws)"}},
		{"key administrator", "GovCloud partition", "destination", admins("arn:aws:iam::111111111111:role/Ok", "arn:aws-us-gov:iam::111111111111:role/Admin"),
			[]string{"keyAdministratorArns[1]", "partition aws-us-gov"}},

		// Regions that do not exist pass a pattern and fail in the provider.
		{"region", "archive in a Region that does not exist", "destination", with(destinationConfig(), "aws:region", "eu-west-4"),
			[]string{`aws:region = "eu-west-4": is not an AWS Region (none of eu-west-1, eu-west-2, eu-west-3)`}},
		{"region", "source in a Region that does not exist", "workload-a", with(sourceConfig(), "aws:region", "us-east-3"),
			[]string{`aws:region = "us-east-3": is not an AWS Region`}},
		{"region", "service Region that does not exist", "workload-a", with(sourceConfig(), "log-archive:sourceBuckets", "",
			"log-archive:logBuckets", `[{"name": "a-logs", "services": ["vpc-flow-logs"], "serviceRegion": "ap-north-1"}]`),
			[]string{`log-archive:logBuckets[0].serviceRegion = "ap-north-1": is not an AWS Region`}},
		{"region", "isolated partition", "destination", with(destinationConfig(), "aws:region", "us-iso-east-1"),
			[]string{"aws-iso partition, which this program does not support"}},

		// IAM's own patterns, and the archive's ArnLike pin.
		{"IAM path", "empty segment", "destination", with(destinationConfig(), "log-archive:replicationRolePath", "/log-archive//"),
			[]string{`log-archive:replicationRolePath = "/log-archive//": has an empty segment`}},
		{"IAM path", "only slashes", "destination", with(destinationConfig(), "log-archive:replicationRolePath", "//"),
			[]string{"log-archive:replicationRolePath", "is not an IAM path"}},
		{"IAM path", "wildcard widens the pin", "destination", with(destinationConfig(), "log-archive:replicationRolePath", "/log-*/"),
			[]string{"would admit other roles"}},
		{"IAM path", "no trailing slash", "destination", with(destinationConfig(), "log-archive:replicationRolePath", "/log-archive"),
			[]string{"must begin and end with"}},
		{"IAM name", "too long", "destination", with(destinationConfig(), "log-archive:replicationRoleName", strings.Repeat("r", 65)),
			[]string{"log-archive:replicationRoleName", "is not an IAM role name"}},
		{"IAM name", "path in the name", "destination", with(destinationConfig(), "log-archive:replicationRoleName", "log-archive/replication"),
			[]string{"is not an IAM role name"}},

		// Messages in the stack file's terms, and one message for one mistake.
		{"types", "string where a list of buckets belongs", "workload-a", with(sourceConfig(), "log-archive:sourceBuckets", `"trail-logs"`),
			[]string{"1 problem;", `log-archive:sourceBuckets = "trail-logs": cannot be read: should be a list of mappings, not text`}},
		{"types", "string where a list of services belongs", "workload-a", with(sourceConfig(), "log-archive:sourceBuckets", "",
			"log-archive:logBuckets", `[{"name": "a-logs", "services": "guardduty", "guardDutyDetectorId": "6ac1f2e3d4b5a69788796a5b4c3d2e1f"}]`),
			[]string{"1 problem;", `field "services" should be a list of strings, not text`}},
		{"types", "word where days belong", "destination", with(destinationConfig(), "log-archive:objectLock", `{"mode": "GOVERNANCE", "days": "thirty"}`),
			[]string{"1 problem;", `field "days" should be a whole number, not text`}},
		{"types", "misspelt field", "destination", with(destinationConfig(), "log-archive:objectLock", `{"mode": "GOVERNANCE", "day": 30}`),
			[]string{`has a field this program does not know, "day"`}},

		// A source in another partition than its archive: S3 does not replicate across partitions.
		{"partition", "China source, archive in eu-west-1", "workload-a", with(sourceConfig(), "aws:region", "cn-north-1",
			"log-archive:sourceBuckets", "", "log-archive:logBuckets", `[{"name": "a-logs", "services": ["vpc-flow-logs"]}]`),
			[]string{`Pulumi.workload-a.yaml: aws:region = "cn-north-1": is in partition aws-cn, but the archive is in eu-west-1 (partition aws)`,
				"Fix: replicate this account into an archive in partition aws-cn"}},
	} {
		t.Run(tc.class+"/"+tc.name, func(t *testing.T) {
			var refs map[string]map[string]any
			if tc.stack != "destination" {
				refs = archiveOutputs(t, destinationConfig())
			}
			p, err := runStack(t, tc.stack, tc.cfg, refs)
			require.Error(t, err)
			msg := err.Error()
			for _, w := range tc.want {
				assert.Contains(t, msg, w)
			}
			assert.Contains(t, msg, "Pulumi."+tc.stack+".yaml: ")
			assert.Contains(t, msg, "Fix: ")
			for _, internal := range []string{"stackconfig.", "[]string", "interface {}", "json:", "invalid character"} {
				assert.NotContains(t, msg, internal, "no Go internals in what the user reads")
			}
			assert.Empty(t, p.Creates(), "nothing registered")
		})
	}
}
