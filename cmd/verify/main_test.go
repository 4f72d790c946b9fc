package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/awsfake"
	"log-archive/internal/testfixture"
)

func runVerify(t *testing.T, d deps, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, d)
	return code, stdout.String(), stderr.String()
}

func TestHelpListsThePermissionsAndExitsZero(t *testing.T) {
	code, stdout, _ := runVerify(t, defaultDeps(), "--help")
	assert.Equal(t, 0, code)
	for _, want := range []string{"s3:PutObject, s3:GetObject, s3:GetObjectVersion  on arn:aws:s3:::B/Plog-archive-canary/*",
		"kms:Decrypt", "s3:GetObjectRetention", "s3:Replication:OperationFailedReplication", "never overwrites or deletes",
		"-source-profile", "-archive-outputs", "-timeout", "-json"} {
		assert.Contains(t, stdout, want)
	}
}

// docs/verify.md is what the README links for verify; its permission list is --help's, line for line.
func TestDocsAgreeWithHelp(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testfixture.Root(), "docs", "verify.md"))
	require.NoError(t, err)
	_, perms, _ := strings.Cut(usageText, "Permissions it needs:\n")
	perms, _, _ = strings.Cut(perms, "\n\n")
	for _, line := range strings.Split(perms, "\n") {
		assert.True(t, strings.Contains(string(doc), strings.TrimRight(line, " ")), "docs/verify.md lacks --help's line %q", line)
	}
	for _, flagName := range []string{"--source-outputs", "--source-stack", "--archive-outputs", "--archive-stack", "--cwd",
		"--source-profile", "--archive-profile", "--source-region", "--prefix", "--bucket", "--timeout", "--poll", "--json", "--explain"} {
		help := flagsOf(t)
		assert.True(t, strings.Contains(help, "\n  "+flagName[1:]+" ") || strings.Contains(help, "\n  "+flagName[1:]+"\n"),
			"--help does not list %s", flagName)
		assert.True(t, strings.Contains(string(doc), flagName), "docs/verify.md does not mention %s", flagName)
	}
}

func flagsOf(t *testing.T) string {
	_, stdout, _ := runVerify(t, defaultDeps(), "--help")
	return stdout
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--source-outputs", "a.json"},
		{"--source-outputs", "a.json", "--source-stack", "x", "--archive-stack", "y"},
		{"--source-stack", "x", "--archive-stack", "y", "--timeout", "0s"},
		{"--source-stack", "x", "--archive-stack", "y", "--prefix", "no-equals-sign"},
		{"--explain", "NotAReason"},
		{"extra"},
	} {
		code, _, stderr := runVerify(t, defaultDeps(), args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
	}
}

func TestExplain(t *testing.T) {
	code, stdout, _ := runVerify(t, defaultDeps(), "--explain", "DstPutObjectNotPermitted")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "log-archive:sourceAccountIds")
	assert.Contains(t, stdout, "R2.4")
}

const (
	archiveKey = "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555"
	roleArn    = "arn:aws:iam::222222222222:role/log-archive/log-archive-replication"
)

// fakeRun is the whole command against the fake S3/STS: outputs from files, profiles mapped to keys.
func fakeRun(t *testing.T, replicaKey string, extra ...string) (int, string, string) {
	t.Helper()
	f := newFake(t, replicaKey)
	f.sourceBucket("trail-logs", "")
	srcOut := f.write("source.json", map[string]any{"replicationRoleArn": roleArn, "replicatedBuckets": []string{"trail-logs"},
		"archiveBucketName": "acme-log-archive", "archiveKeyArn": archiveKey, "logBuckets": map[string]any{}})
	return f.run(t, srcOut, extra...)
}

type fake struct {
	srv *awsfake.Server
	dir string
	d   deps
}

// newFake is the fake S3/STS with the archive bucket (in eu-west-1) and replication of every source
// bucket into it, and deps whose profiles map to its keys: workload-a (source, Region us-east-2),
// workload-a-no-region (source, no Region), log-archive (archive, no Region).
func newFake(t *testing.T, replicaKey string) *fake {
	srv := awsfake.New()
	t.Cleanup(srv.Close)
	srv.Accounts["AKIASOURCE"], srv.Accounts["AKIAARCHIVE"] = "222222222222", "111111111111"
	srv.AddBucket("acme-log-archive").Region = "eu-west-1"
	srv.OnPut = func(s *awsfake.Server, bucket, key string, o *awsfake.Object) {
		if bucket != "acme-log-archive" {
			o.ReplicationStatus = "PENDING"
		}
	}
	srv.OnHead = func(s *awsfake.Server, bucket, key string, o *awsfake.Object) {
		if bucket != "acme-log-archive" && o.ReplicationStatus == "PENDING" {
			o.ReplicationStatus = "COMPLETED"
			s.Buckets["acme-log-archive"].Objects[key] = &awsfake.Object{Body: o.Body, VersionID: o.VersionID, SSE: "aws:kms",
				KMSKeyID: replicaKey, ReplicationStatus: "REPLICA"}
		}
	}
	d := deps{
		s3Options: []func(*s3.Options){func(o *s3.Options) { o.UsePathStyle = true }},
		loadConfig: func(_ context.Context, profile, region string) (aws.Config, error) {
			if region == "" {
				region = map[string]string{"workload-a": "us-east-2", "nobody": "us-east-2"}[profile]
			}
			akid := map[string]string{"workload-a": "AKIASOURCE", "workload-a-no-region": "AKIASOURCE", "log-archive": "AKIAARCHIVE"}[profile]
			if akid == "" {
				akid = "AKIAUNKNOWN" // a profile whose key AWS does not know
			}
			return aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(akid, "secret", ""),
				HTTPClient: srv.HTTPClient(), BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1}, nil
		},
	}
	f := &fake{srv: srv, dir: t.TempDir(), d: d}
	f.write("archive.json", map[string]any{"archiveAccountId": "111111111111", "archiveRegion": "eu-west-1",
		"archiveBucketName": "acme-log-archive", "archiveBucketArn": "arn:aws:s3:::acme-log-archive", "archiveKeyArn": archiveKey,
		"archiveObjectLockEnabled": false, "contractVersion": 1, "replicationRoleName": "log-archive-replication",
		"replicationRolePath": "/log-archive/", "sourceAccountIds": []string{"222222222222"}})
	return f
}

// sourceBucket adds a source bucket with the source stack's rule, in region ("" answers in any).
func (f *fake) sourceBucket(name, region string) {
	b := f.srv.AddBucket(name)
	b.Region = region
	b.DefaultSSE, b.DefaultKeyID = "aws:kms", "arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-2222-3333-4444-555555555555"
	b.ReplicationXML = fmt.Sprintf(`<ReplicationConfiguration><Role>%s</Role><Rule><ID>log-archive-acme-log-archive</ID>`+
		`<Status>Enabled</Status><Filter><Prefix>AWSLogs/</Prefix></Filter><SourceSelectionCriteria><SseKmsEncryptedObjects>`+
		`<Status>Enabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria><Destination><Bucket>arn:aws:s3:::acme-log-archive</Bucket>`+
		`<EncryptionConfiguration><ReplicaKmsKeyID>%s</ReplicaKmsKeyID></EncryptionConfiguration></Destination></Rule></ReplicationConfiguration>`,
		roleArn, archiveKey)
}

func (f *fake) write(name string, v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	path := filepath.Join(f.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		panic(err)
	}
	return path
}

func (f *fake) run(t *testing.T, srcOut string, extra ...string) (int, string, string) {
	t.Helper()
	args := append([]string{"--source-outputs", srcOut, "--archive-outputs", filepath.Join(f.dir, "archive.json"),
		"--source-profile", "workload-a", "--archive-profile", "log-archive", "--poll", time.Millisecond.String(), "--timeout", "2s"}, extra...)
	return runVerify(t, f.d, args...)
}

func TestVerifyAgainstTheFakeSucceeds(t *testing.T) {
	code, stdout, stderr := fakeRun(t, archiveKey)
	t.Log(stdout)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "source s3://trail-logs: ok")
	assert.Contains(t, stdout, "1 of 1 buckets replicate correctly.")
	assert.Contains(t, stderr, "waiting for replication")
}

func TestVerifyAgainstTheFakeFailsOnAWrongKeyWithJSON(t *testing.T) {
	code, stdout, _ := fakeRun(t, "arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-2222-3333-4444-555555555555", "--json")
	assert.Equal(t, 1, code)
	var report struct {
		OK      bool `json:"ok"`
		Buckets []struct {
			Checks []struct{ Name, Status string } `json:"checks"`
		} `json:"buckets"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &report))
	assert.False(t, report.OK)
	assert.Contains(t, report.Buckets[0].Checks, struct{ Name, Status string }{"replica key", "FAIL"})
}

func TestVerifyWithBadCredentialsExitsOneWithAClearMessage(t *testing.T) {
	code, _, stderr := fakeRun(t, archiveKey, "--source-profile", "nobody")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, `the source account's credentials (profile "nobody") do not work: InvalidClientTokenId`)
}

// A source stack with buckets in two Regions: each bucket is called in its Region from bucketRegions
// (S3 answers a bucket only there), whatever the profile's Region.
func TestVerifyCallsEachBucketInItsRegionFromBucketRegions(t *testing.T) {
	f := newFake(t, archiveKey)
	f.sourceBucket("trail-logs", "us-east-2")
	f.sourceBucket("eu-app-logs", "eu-central-1")
	outputs := map[string]any{"replicationRoleArn": roleArn, "replicatedBuckets": []string{"trail-logs", "eu-app-logs"},
		"bucketRegions":     map[string]string{"trail-logs": "us-east-2", "eu-app-logs": "eu-central-1"},
		"archiveBucketName": "acme-log-archive", "archiveKeyArn": archiveKey, "logBuckets": map[string]any{}}
	srcOut := f.write("source.json", outputs)

	for _, profile := range []string{"workload-a", "workload-a-no-region"} {
		code, stdout, stderr := f.run(t, srcOut, "--source-profile", profile)
		assert.Equal(t, 0, code, stderr)
		assert.Contains(t, stdout, "source s3://eu-app-logs: ok\n  region eu-central-1 (from the source stack's bucketRegions)")
		assert.Contains(t, stdout, "source s3://trail-logs: ok\n  region us-east-2 (from the source stack's bucketRegions)")
		assert.Contains(t, stdout, "2 of 2 buckets replicate correctly.")
	}
	for _, c := range f.srv.Calls {
		if strings.HasPrefix(c.URI, "/eu-app-logs") {
			assert.Equal(t, "eu-central-1", c.Region, c.Method+" "+c.URI)
		}
		if strings.HasPrefix(c.URI, "/trail-logs") {
			assert.Equal(t, "us-east-2", c.Region, c.Method+" "+c.URI)
		}
		if strings.HasPrefix(c.URI, "/acme-log-archive") {
			assert.Equal(t, "eu-west-1", c.Region, c.Method+" "+c.URI)
		}
	}

	// --source-region does not override bucketRegions, and says so.
	code, _, stderr := f.run(t, srcOut, "--source-region", "us-west-2")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "--source-region us-west-2 is not used")

	// Outputs older than bucketRegions: all buckets in the profile's Region (or --source-region); the
	// bucket elsewhere fails with where it is.
	delete(outputs, "bucketRegions")
	old := f.write("old-source.json", outputs)
	code, stdout, _ := f.run(t, old)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "source s3://trail-logs: ok\n  region us-east-2 (from the Region of profile \"workload-a\")")
	assert.Contains(t, stdout, "source s3://eu-app-logs: FAILED")
	assert.Contains(t, stdout, "the bucket is in eu-central-1, but verify called it in us-east-2")
	code, stdout, _ = f.run(t, old, "--source-region", "eu-central-1", "--bucket", "eu-app-logs")
	assert.Equal(t, 0, code, stdout)
	assert.Contains(t, stdout, "region eu-central-1 (from --source-region)")
	code, _, stderr = f.run(t, old, "--source-profile", "workload-a-no-region")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "no Region for the source buckets trail-logs, eu-app-logs")
}
