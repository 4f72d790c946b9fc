package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/awsfake"
	"log-archive/internal/testfixture"
)

const fixtureArchiveKey = "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555"

// fixtureFleet is the fixture project (an archive, one source in 222222222222) with its outputs saved to
// files, and the S3/STS stand-in behind fleet verify's AWS calls. replicaKey is what the source bucket's
// rule says.
func fixtureFleet(t *testing.T, replicaKey string) (dir, outputs string, srv *awsfake.Server) {
	t.Helper()
	dir, outputs = testfixture.Project(t), t.TempDir()
	archiveBucket := "acme-log-archive-eu-west-1"
	for name, v := range map[string]map[string]any{
		"destination": {"archiveAccountId": "111111111111", "archiveRegion": "eu-west-1", "archiveBucketName": archiveBucket,
			"archiveKeyArn": fixtureArchiveKey, "archiveObjectLockEnabled": false,
			// The rest of what contract.ParseArchive requires of an archive's outputs.
			"contractVersion": 1, "archiveBucketArn": "arn:aws:s3:::" + archiveBucket,
			"replicationRoleName": "log-archive-replication", "replicationRolePath": "/log-archive/",
			"sourceAccountIds": []string{"222222222222"}},
		"source": {"replicationRoleArn": "arn:aws:iam::222222222222:role/log-archive/log-archive-replication",
			"replicatedBuckets": []string{"workload-logs"}, "bucketRegions": map[string]string{"workload-logs": "eu-west-1"},
			"archiveBucketName": archiveBucket, "archiveKeyArn": fixtureArchiveKey},
	} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(outputs, name+".json"), b, 0o644))
	}
	srv = awsfake.New()
	t.Cleanup(srv.Close)
	srv.Accounts["AKIAHUB"] = "999999999999"
	srv.AddBucket("workload-logs").ReplicationXML = fmt.Sprintf(`<ReplicationConfiguration><Role>arn:aws:iam::222222222222:role/log-archive/log-archive-replication</Role>`+
		`<Rule><ID>log-archive-%[1]s</ID><Priority>1</Priority><Status>Enabled</Status><Filter><Prefix></Prefix></Filter>`+
		`<SourceSelectionCriteria><SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria>`+
		`<Destination><Bucket>arn:aws:s3:::%[1]s</Bucket><Account>111111111111</Account><EncryptionConfiguration><ReplicaKmsKeyID>%[2]s</ReplicaKmsKeyID>`+
		`</EncryptionConfiguration></Destination></Rule></ReplicationConfiguration>`, archiveBucket, replicaKey)
	saved := verifyAWS
	t.Cleanup(func() { verifyAWS = saved })
	verifyAWS.base = func(_ context.Context, region string) (aws.Config, error) {
		return aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("AKIAHUB", "s", ""),
			HTTPClient: srv.HTTPClient(), BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1}, nil
	}
	verifyAWS.s3Options = []func(*s3.Options){func(o *s3.Options) { o.UsePathStyle = true }}
	return dir, outputs, srv
}

func TestFleetVerifyCommand_ExitStatusAndReports(t *testing.T) {
	for name, tc := range map[string]struct {
		replicaKey string
		code       int
		headline   string
	}{
		"healthy":   {fixtureArchiveKey, 0, "fleet verify: all 1 source accounts pass every check\n"},
		"wrong key": {"alias/aws/s3", 1, "fleet verify: 1 of 1 source accounts FAILED a check\n"},
	} {
		t.Run(name, func(t *testing.T) {
			dir, outputs, srv := fixtureFleet(t, tc.replicaKey)
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			code := run([]string{"verify", "--dir", dir, "--outputs-dir", outputs, "--concurrency", "2",
				"--json", filepath.Join(out, "r.json"), "--png", filepath.Join(out, "r.png")}, &stdout, &stderr)
			assert.Equal(t, tc.code, code, stderr.String())
			assert.Equal(t, tc.headline, stderr.String())
			assert.Contains(t, stdout.String(), "| 222222222222 | `source` |", "the Markdown report goes to standard output")
			f, err := os.Open(filepath.Join(out, "r.png"))
			require.NoError(t, err)
			defer f.Close()
			_, err = png.Decode(f)
			require.NoError(t, err)
			js, err := os.ReadFile(filepath.Join(out, "r.json"))
			require.NoError(t, err)
			assert.Contains(t, string(js), `"stack": "source"`)
			// Each account's previewRole was assumed, nothing else, and nothing was written.
			var assumed []string
			for _, c := range srv.Calls {
				assert.NotEqual(t, "PUT", c.Method, "a read-only run writes nothing")
			}
			for _, r := range srv.Requests {
				if r == "POST / 999999999999" {
					assumed = append(assumed, r)
				}
			}
			assert.Len(t, assumed, 2, "the archive's role and the source's")
		})
	}
}

func TestFleetVerifyCommand_UsageErrors(t *testing.T) {
	dir, _, _ := fixtureFleet(t, fixtureArchiveKey)
	for args, want := range map[string][]string{
		"unknown stack":    {"--stacks", "nope", "not source stacks of .github/stacks.yaml: nope"},
		"archive as input": {"--stacks", "destination", "not source stacks of .github/stacks.yaml: destination"},
		"both lists":       {"--stacks", "source", "--stacks-file", "f", "give --stacks or --stacks-file, not both"},
		"no report":        {"--markdown", "", "no report to write"},
		"concurrency":      {"--concurrency", "0", "--concurrency must be at least 1"},
		"unknown archive":  {"--archive", "other", "--archive other: no destination stack of that name"},
	} {
		t.Run(args, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, 2, run(append([]string{"verify", "--dir", dir}, want[:len(want)-1]...), &stdout, &stderr))
			assert.Contains(t, stderr.String(), want[len(want)-1])
		})
	}
}
