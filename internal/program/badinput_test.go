package program_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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
		t.Run(tc.class+"/"+tc.name, func(t *testing.T) { assertRefused(t, tc.stack, tc.cfg, tc.want, nil) })
	}
}

// Inputs that once slipped through, or were refused with the wrong key or a Go-internal message (issue
// 17.10). Each is refused before anything is registered, with the stack file, the key, the value and the fix.
func TestBadInput_SlippedThroughOrMisreported(t *testing.T) {
	const (
		org     = "o-a1b2c3d4e5"
		adopted = "arn:aws:kms:us-east-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		key     = "arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444"
	)
	organization := func(paths ...string) map[string]string {
		return with(destinationConfig(), "log-archive:sourceOrganization", `{"id": "`+org+`", "paths": ["`+strings.Join(paths, `","`)+`"]}`)
	}
	manyPaths := make([]string, 500)
	for i := range manyPaths {
		manyPaths[i] = fmt.Sprintf("%s/r-ab12/ou-ab12-%08d/", org, i)
	}
	manyAdmins := make([]string, 1000)
	for i := range manyAdmins {
		manyAdmins[i] = fmt.Sprintf("arn:aws:iam::111111111111:role/KeyAdministrator%04d", i)
	}
	logBuckets := func(entries string) map[string]string {
		return with(sourceConfig(), "log-archive:sourceBuckets", "", "log-archive:logBuckets", entries)
	}
	for _, tc := range []struct {
		name   string
		stack  string
		cfg    map[string]string
		want   []string
		unwant []string
	}{
		// R2.12: an OU ID carries its root's suffix (ou-<root>-<ou>); under another root the path admits nobody.
		{"OU of another root", "destination", organization(org + "/r-ab12/ou-cd34-11111111/"),
			[]string{`log-archive:sourceOrganization.paths[0] = "` + org + `/r-ab12/ou-cd34-11111111/"`,
				"ou-cd34-11111111 is an OU of root r-cd34, not of r-ab12", "admits no account", "Fix: "}, nil},
		{"nested OU of another root", "destination", organization(org + "/r-ab12/ou-ab12-11111111/ou-ef56-22222222/"),
			[]string{"log-archive:sourceOrganization.paths[0]", "ou-ef56-22222222 is an OU of root r-ef56, not of r-ab12"}, nil},

		// One key imported as two resources: the second import fails, or both manage one key.
		{"one adoptKeyArn on two log buckets", "workload-a", logBuckets(`[
			{"name": "a-logs", "services": ["vpc-flow-logs"], "adoptKeyArn": "` + adopted + `"},
			{"name": "b-logs", "services": ["vpc-flow-logs"], "adoptKeyArn": "` + adopted + `"}]`),
			[]string{`log-archive:logBuckets[1].adoptKeyArn = "` + adopted + `": is also adopted at log-archive:logBuckets[0]`,
				"Fix: give each log bucket the keyArn the earlier stack published for it"}, nil},

		// An empty topic used to fall back silently to the stack's own topic.
		{"empty alarm topic", "workload-a", with(sourceConfig(), "log-archive:alarms", `{"topicArns": {"us-east-2": ""}}`),
			[]string{`log-archive:alarms.topicArns.us-east-2 = "": is empty`, "remove the entry for the stack's own topic"}, nil},

		// Field names match regardless of case when decoded: one of two spellings would be dropped.
		{"name and Name in one bucket", "workload-a", with(sourceConfig(), "log-archive:sourceBuckets",
			`[{"name": "trail-logs", "Name": "other-logs", "kmsKeyArns": ["`+key+`"]}]`),
			[]string{"1 problem;", `log-archive:sourceBuckets[0].Name = "other-logs": repeats the field name in other capitals`,
				"Fix: keep one of the two, spelt name"}, nil},
		{"a field in other capitals", "workload-a", with(sourceConfig(), "log-archive:sourceBuckets",
			`[{"name": "trail-logs", "KmsKeyArns": ["`+key+`"]}]`),
			[]string{`log-archive:sourceBuckets[0].KmsKeyArns = ["` + key + `"]: is not spelt as this program declares it`,
				"Fix: write kmsKeyArns"}, nil},
		{"a nested field in other capitals", "workload-a", with(sourceConfig(), "log-archive:alarms", `{"Enabled": false}`),
			[]string{`log-archive:alarms.Enabled = false: is not spelt as this program declares it`, "Fix: write enabled"}, nil},

		// The list that makes a policy too long is named, with how many of it fit.
		{"500 OU paths", "destination", organization(manyPaths...),
			[]string{"log-archive:sourceOrganization.paths = (500 paths)", "at most", "paths fit", "Fix: "},
			[]string{"at most 0 ", "log-archive:sourceAccountIds"}},
		{"1,000 key administrators", "destination", with(destinationConfig(), "log-archive:keyAdministratorArns", `["`+strings.Join(manyAdmins, `","`)+`"]`),
			[]string{"log-archive:keyAdministratorArns = (1000 administrators)", "the archive key policy", "at most", "administrators fit", "Fix: "},
			[]string{"at most 0 ", "log-archive:sourceAccountIds"}},

		// An empty account ID used to reach the component, whose message names Go fields.
		{"empty source account", "destination", with(destinationConfig(), "log-archive:sourceAccountIds", `["", "222222222222"]`),
			[]string{`log-archive:sourceAccountIds[0] = "": is empty`, `Fix: write each account's 12-digit ID in quotes`},
			[]string{"SourceAccountIDs", "DestinationArchive"}},
	} {
		t.Run(tc.name, func(t *testing.T) { assertRefused(t, tc.stack, tc.cfg, tc.want, tc.unwant) })
	}
}

// assertRefused is requireRefused, and also: no unwanted text, a fix, and no Go internals in what the user
// reads.
func assertRefused(t *testing.T, stack string, cfg map[string]string, want, unwant []string) {
	t.Helper()
	msg := requireRefused(t, stack, cfg, want...)
	for _, u := range unwant {
		assert.NotContains(t, msg, u)
	}
	assert.Contains(t, msg, "Fix: ")
	for _, internal := range []string{"stackconfig.", "[]string", "interface {}", "json:", "invalid character"} {
		assert.NotContains(t, msg, internal, "no Go internals in what the user reads")
	}
}
