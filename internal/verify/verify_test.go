package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/awsfake"
	"log-archive/internal/awsid"
)

const (
	srcAccount = "222222222222"
	dstAccount = "111111111111"
	srcAK      = "AKIASOURCE"
	dstAK      = "AKIAARCHIVE"
	archive    = "acme-log-archive"
	archiveKey = "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555"
	sourceKey  = "arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-2222-3333-4444-555555555555"
	roleArn    = "arn:aws:iam::222222222222:role/log-archive/log-archive-replication"
)

// rule is the replication configuration the source stack writes (components/replicator.go).
type rule struct{ prefix, replicaKey, role, class string }

func (r rule) xml() string {
	return fmt.Sprintf(`<ReplicationConfiguration><Role>%s</Role><Rule><ID>log-archive-%s</ID><Priority>1</Priority>`+
		`<Status>Enabled</Status><Filter><Prefix>%s</Prefix></Filter><SourceSelectionCriteria><SseKmsEncryptedObjects>`+
		`<Status>Enabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria><Destination><Bucket>arn:aws:s3:::%s</Bucket>`+
		`<Account>%s</Account>%s<EncryptionConfiguration><ReplicaKmsKeyID>%s</ReplicaKmsKeyID></EncryptionConfiguration>`+
		`</Destination></Rule></ReplicationConfiguration>`, r.role, archive, r.prefix, archive, dstAccount, storageClassXML(r.class), r.replicaKey)
}

func storageClassXML(class string) string {
	if class == "" {
		return ""
	}
	return "<StorageClass>" + class + "</StorageClass>"
}

var goodRule = rule{prefix: "AWSLogs/", replicaKey: archiveKey, role: roleArn}

// replication is how the fake S3 replicates a canary: after polls HeadObjects the source object
// reaches final; a COMPLETED one gets a replica in the archive, encrypted and locked as given.
type replication struct {
	polls      int
	final      string // COMPLETED, FAILED, PENDING (never finishes) or "" (no rule covers the key)
	replicaSSE string
	replicaKey string // "" is the archive key; "source" the source object's key
	lockMode   string
	lockDays   int
	class      string // the replica's storage class ("" is STANDARD)
	tier       string // its Intelligent-Tiering archive tier, if any
}

type env struct {
	t    *testing.T
	srv  *awsfake.Server
	opts Options
}

func newEnv(t *testing.T, rules map[string]rule, rep replication, objectLock bool) *env {
	t.Helper()
	srv := awsfake.New()
	t.Cleanup(srv.Close)
	srv.Accounts[srcAK], srv.Accounts[dstAK] = srcAccount, dstAccount
	var buckets []string
	for name, r := range rules {
		b := srv.AddBucket(name)
		b.DefaultSSE, b.DefaultKeyID = "aws:kms", sourceKey
		if r != (rule{}) {
			b.ReplicationXML = r.xml()
		}
		buckets = append(buckets, name)
	}
	srv.AddBucket(archive).Region = "eu-west-1"
	heads := map[string]int{}
	srv.OnPut = func(s *awsfake.Server, bucket, key string, o *awsfake.Object) {
		if bucket != archive && rep.final != "" {
			o.ReplicationStatus = "PENDING"
		}
	}
	srv.OnHead = func(s *awsfake.Server, bucket, key string, o *awsfake.Object) {
		if bucket == archive || o.ReplicationStatus != "PENDING" {
			return
		}
		if heads[key]++; heads[key] < rep.polls || rep.final == "PENDING" {
			return
		}
		o.ReplicationStatus = rep.final
		if rep.final != "COMPLETED" {
			return
		}
		replica := &awsfake.Object{Body: o.Body, VersionID: o.VersionID, SSE: "aws:kms", KMSKeyID: archiveKey, ReplicationStatus: "REPLICA"}
		if rep.replicaSSE != "" {
			replica.SSE, replica.KMSKeyID = rep.replicaSSE, ""
		}
		if rep.replicaKey == "source" {
			replica.KMSKeyID = o.KMSKeyID
		}
		replica.StorageClass, replica.ArchiveStatus = rep.class, rep.tier
		if rep.lockMode != "" {
			replica.LockMode, replica.RetainUntil = rep.lockMode, time.Now().AddDate(0, 0, rep.lockDays)
		}
		s.Buckets[archive].Objects[key] = replica
	}
	e := &env{t: t, srv: srv}
	e.opts = Options{
		Target: Target{SourceAccount: srcAccount, RoleArn: roleArn, Buckets: buckets, ArchiveAccount: dstAccount,
			ArchiveRegion: "eu-west-1", ArchiveBucket: archive, ArchiveKeyArn: archiveKey, ObjectLock: objectLock},
		Source:  e.account(srcAK, "us-east-2"),
		Archive: e.account(dstAK, "eu-west-1"),
		Timeout: 2 * time.Second, Poll: time.Millisecond,
	}
	return e
}

func (e *env) account(akid, region string) Account {
	cfg := aws.Config{
		Region: region, Credentials: credentials.NewStaticCredentialsProvider(akid, "secret", ""),
		HTTPClient: e.srv.HTTPClient(), BaseEndpoint: aws.String(e.srv.URL), RetryMaxAttempts: 1,
	}
	return NewAccount(cfg, "test key "+akid, func(o *s3.Options) { o.UsePathStyle = true })
}

func (e *env) run() *Report {
	e.t.Helper()
	r, err := Run(context.Background(), e.opts)
	require.NoError(e.t, err)
	var text bytes.Buffer
	require.NoError(e.t, r.WriteText(&text))
	e.t.Log("\n" + text.String())
	return r
}

func check(t *testing.T, b BucketResult, name string) Check {
	t.Helper()
	for _, c := range b.Checks {
		if c.Name == name {
			return c
		}
	}
	require.Failf(t, "no check", "%s has no check %q: %+v", b.Bucket, name, b.Checks)
	return Check{}
}

func completed() replication {
	return replication{polls: 3, final: "COMPLETED", lockMode: "COMPLIANCE", lockDays: 365}
}

func TestSuccessWritesCanariesUnderTheRulePrefixAndChecksEveryReplica(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": goodRule, "flow-logs": {replicaKey: archiveKey, role: roleArn}}, completed(), true)
	var progress bytes.Buffer
	e.opts.Progress = &progress
	r := e.run()
	require.True(t, r.OK)
	require.Len(t, r.Buckets, 2)
	for _, b := range r.Buckets {
		assert.True(t, b.OK, b.Bucket)
		wantPrefix := map[string]string{"trail-logs": "AWSLogs/", "flow-logs": ""}[b.Bucket]
		assert.Equal(t, wantPrefix, b.Prefix)
		assert.Equal(t, "the replication rule", b.PrefixFrom)
		assert.Regexp(t, `^`+wantPrefix+`log-archive-canary/\d{8}T\d{6}Z-[0-9a-f]{16}\.txt$`, b.CanaryKey)
		assert.Equal(t, "COMPLETED", b.Status)
		for _, name := range []string{"replication rule", "rule replica key", "canary written", "source status", "replica found",
			"replica status", "replica encryption", "replica key", "replica readable", "replica object lock"} {
			assert.Equal(t, OK, check(t, b, name).Status, "%s: %s", b.Bucket, name)
		}
		// The replica in the archive is the canary, byte for byte.
		assert.Equal(t, e.srv.Object(b.Bucket, b.CanaryKey).Body, e.srv.Object(archive, b.CanaryKey).Body)
	}
	assert.Contains(t, progress.String(), "waiting for replication")
	assert.Contains(t, progress.String(), "trail-logs COMPLETED")

	// It wrote only its canaries, only as the source account, and deleted nothing anywhere.
	for _, req := range e.srv.Requests {
		method, rest, _ := strings.Cut(req, " ")
		assert.NotEqual(t, "DELETE", method, req)
		if method == "PUT" {
			assert.Contains(t, rest, "/log-archive-canary/", req)
			assert.True(t, strings.HasSuffix(req, " "+srcAccount), req)
		}
		if strings.HasSuffix(req, " "+dstAccount) {
			assert.Contains(t, []string{"HEAD", "GET", "POST"}, method, req) // POST is sts:GetCallerIdentity
		}
	}

	var js bytes.Buffer
	require.NoError(t, r.WriteJSON(&js))
	var decoded Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &decoded))
	assert.True(t, decoded.OK)
	assert.Equal(t, archiveKey, check(t, decoded.Buckets[0], "replica key").Got)
}

// R5.4: FAILED, and the rule shows why: ReplicaKmsKeyID is an alias (DstKmsKeyNotFound, R4.9).
func TestFailedWithAWrongReplicaKeyInTheRuleNamesR4_9(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": {prefix: "AWSLogs/", replicaKey: "alias/log-archive", role: roleArn}},
		replication{polls: 2, final: "FAILED"}, false)
	r := e.run()
	require.False(t, r.OK)
	b := r.Buckets[0]
	assert.Equal(t, Fail, check(t, b, "rule replica key").Status)
	failed := check(t, b, "source status")
	assert.Equal(t, Fail, failed.Status)
	assert.Equal(t, "FAILED", failed.Got)
	assert.Contains(t, failed.Cause, "rule replica key")
	assert.Contains(t, failed.Facts, "R4.9")
	assert.NotContains(t, b.Checks, Check{Name: "replica found"}) // nothing to read in the archive
}

// R5.4: FAILED under a rule naming another role: the archive pins only the stack's role (R2.4).
func TestFailedWithAnotherRoleInTheRuleNamesR2_4(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": {prefix: "AWSLogs/", replicaKey: archiveKey, role: "arn:aws:iam::222222222222:role/other"}},
		replication{polls: 1, final: "FAILED"}, false)
	b := e.run().Buckets[0]
	assert.Equal(t, Fail, check(t, b, "rule role").Status)
	assert.Contains(t, check(t, b, "source status").Facts, "R2.4")
}

// R5.4: FAILED while the rule looks right: the likely reasons, with their facts, and where the real
// one is (the event's failureReason).
func TestFailedWithARightRuleListsTheLikelyReasons(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": goodRule}, replication{polls: 2, final: "FAILED"}, false)
	r := e.run()
	require.False(t, r.OK)
	c := check(t, r.Buckets[0], "source status")
	assert.Equal(t, Fail, c.Status)
	for _, want := range []string{"DstPutObjectNotPermitted", "SrcGetObjectNotPermitted", "AssumeRoleNotPermitted",
		"s3:Replication:OperationFailedReplication", "--explain", "backfill"} {
		assert.Contains(t, c.Cause, want)
	}
	assert.Subset(t, c.Facts, []string{"R5.4", "R5.9", "R2.4", "R1.18"})
}

// R4.9, R5.1: the replica exists but under the source object's key, which the archive cannot use.
func TestReplicaUnderTheWrongKeyFails(t *testing.T) {
	rep := completed()
	rep.replicaKey = "source"
	e := newEnv(t, map[string]rule{"trail-logs": goodRule}, rep, true)
	r := e.run()
	require.False(t, r.OK)
	c := check(t, r.Buckets[0], "replica key")
	assert.Equal(t, Fail, c.Status)
	assert.Equal(t, sourceKey, c.Got)
	assert.Equal(t, archiveKey, c.Want)
	assert.Contains(t, c.Facts, "R4.9")
	assert.Contains(t, c.Cause, "source object's key")
}

// R5.3: a replica of an SSE-S3 source stays SSE-S3.
func TestReplicaNotUnderKMSFails(t *testing.T) {
	rep := completed()
	rep.replicaSSE = "AES256"
	e := newEnv(t, map[string]rule{"trail-logs": goodRule}, rep, true)
	e.srv.Buckets["trail-logs"].DefaultSSE, e.srv.Buckets["trail-logs"].DefaultKeyID = "AES256", ""
	c := check(t, e.run().Buckets[0], "replica encryption")
	assert.Equal(t, Fail, c.Status)
	assert.Equal(t, "AES256", c.Got)
	assert.Contains(t, c.Cause, "default encryption is not SSE-KMS")
	assert.Equal(t, []string{"R5.3"}, c.Facts)
}

// R5.1: the archive account cannot read the replica (GetObject 403).
func TestUnreadableReplicaFails(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": goodRule}, completed(), true)
	e.srv.Deny = func(op, account, bucket, key string) bool { return op == "GetObject" && bucket == archive }
	r := e.run()
	require.False(t, r.OK)
	c := check(t, r.Buckets[0], "replica readable")
	assert.Equal(t, Fail, c.Status)
	assert.Contains(t, c.Got, "AccessDenied")
	assert.Contains(t, c.Facts, "R5.1")
	assert.Equal(t, OK, check(t, r.Buckets[0], "replica key").Status)
}

// The archive says COMPLETED's replica is not visible to the archive account (HeadObject 403).
func TestReplicaHiddenFromTheArchiveFails(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": goodRule}, completed(), false)
	e.srv.Deny = func(op, account, bucket, key string) bool { return op == "HeadObject" && bucket == archive }
	c := check(t, e.run().Buckets[0], "replica found")
	assert.Equal(t, Fail, c.Status)
	assert.Contains(t, c.Facts, "R2.6")
}

// H3: the archive has Object Lock, the replica of an unlocked source carries none.
func TestMissingLockOnALockedArchiveFails(t *testing.T) {
	rep := completed()
	rep.lockMode = ""
	e := newEnv(t, map[string]rule{"trail-logs": goodRule}, rep, true)
	r := e.run()
	require.False(t, r.OK)
	c := check(t, r.Buckets[0], "replica object lock")
	assert.Equal(t, Fail, c.Status)
	assert.Equal(t, "none", c.Got)
	assert.Contains(t, c.Facts, "H3")
	assert.Contains(t, c.Cause, "Lock at the source")

	// Without Object Lock on the archive the lock is not checked at all.
	e = newEnv(t, map[string]rule{"trail-logs": goodRule}, rep, false)
	r = e.run()
	assert.True(t, r.OK)
	for _, c := range r.Buckets[0].Checks {
		assert.NotEqual(t, "replica object lock", c.Name)
	}
}

func TestExpiredLockFails(t *testing.T) {
	rep := completed()
	rep.lockDays = -1
	e := newEnv(t, map[string]rule{"trail-logs": goodRule}, rep, true)
	c := check(t, e.run().Buckets[0], "replica object lock")
	assert.Equal(t, Fail, c.Status)
	assert.Contains(t, c.Got, "expired")
}

// A canary that stays PENDING fails at the timeout, which is bounded and shared by all buckets.
func TestTimeoutWhileStillPending(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": goodRule, "flow-logs": goodRule}, replication{final: "PENDING"}, false)
	e.opts.Timeout, e.opts.Poll = 30*time.Millisecond, 2*time.Millisecond
	start := time.Now()
	r := e.run()
	assert.Less(t, time.Since(start), 2*time.Second)
	require.False(t, r.OK)
	for _, b := range r.Buckets {
		c := check(t, b, "source status")
		assert.Equal(t, Fail, c.Status)
		assert.Equal(t, "PENDING after 30ms", c.Got)
		assert.Contains(t, c.Cause, "--timeout")
	}
}

// No replication status at all: no rule covers the canary's key (a wrong prefix).
func TestCanaryOutsideTheRuleFails(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": goodRule}, replication{final: ""}, false)
	e.opts.Prefixes = map[string]string{"trail-logs": "elsewhere/"}
	r := e.run()
	b := r.Buckets[0]
	assert.Equal(t, "--prefix", b.PrefixFrom)
	assert.True(t, strings.HasPrefix(b.CanaryKey, "elsewhere/log-archive-canary/"))
	c := check(t, b, "source status")
	assert.Equal(t, Fail, c.Status)
	assert.Contains(t, c.Cause, "no replication rule covers")
}

// A bucket without replication gets no canary.
func TestNoReplicationConfigurationWritesNothing(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": {}}, completed(), false)
	r := e.run()
	require.False(t, r.OK)
	assert.Equal(t, Fail, check(t, r.Buckets[0], "replication rule").Status)
	for _, req := range e.srv.Requests {
		assert.False(t, strings.HasPrefix(req, "PUT "), req)
	}
}

// Without s3:GetReplicationConfiguration the rule checks are skipped and --prefix decides.
func TestUnreadableRuleIsSkippedAndThePrefixFlagDecides(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": goodRule}, completed(), true)
	e.srv.Deny = func(op, account, bucket, key string) bool { return op == "GetBucketReplication" }
	e.opts.Prefixes = map[string]string{"trail-logs": "AWSLogs/"}
	r := e.run()
	assert.True(t, r.OK)
	assert.Equal(t, Skipped, check(t, r.Buckets[0], "replication rule").Status)
	assert.Equal(t, "AWSLogs/", r.Buckets[0].Prefix)
}

// Bad credentials fail on the first call, sts:GetCallerIdentity, with a message that says what to do.
func TestBadCredentialsFailFirstWithAClearMessage(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": goodRule}, completed(), false)
	e.opts.Source = e.account("AKIAUNKNOWN", "us-east-2")
	_, err := Run(context.Background(), e.opts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the source account's credentials")
	assert.Contains(t, err.Error(), "InvalidClientTokenId (AWS does not know this access key)")
	assert.Contains(t, err.Error(), "--source-profile")
	assert.Len(t, e.srv.Requests, 1, "nothing after the identity check")

	// Working credentials for the wrong account are refused too, before anything is written.
	e = newEnv(t, map[string]rule{"trail-logs": goodRule}, completed(), false)
	e.opts.Archive = e.account(srcAK, "eu-west-1")
	_, err = Run(context.Background(), e.opts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "are for account 222222222222, but the archive stack is in account 111111111111")
}

// S3 answers an unknown key with 403 InvalidAccessKeyId; the message says what it means.
func TestDescribeNamesCredentialErrors(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": goodRule}, completed(), false)
	_, err := e.account("AKIAUNKNOWN", "us-east-2").S3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("trail-logs"), Key: aws.String("x"), Body: strings.NewReader("x")})
	require.Error(t, err)
	assert.Equal(t, "InvalidAccessKeyId (AWS does not know this access key)", describe(err))
}

// A source stack's buckets may be in several Regions (bucketRegions): each is called in its own, which
// is the only one S3 answers it in (301 PermanentRedirect elsewhere), and the archive in archiveRegion.
func TestBucketsInSeveralRegionsAreEachCalledInTheirOwn(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": goodRule, "eu-app-logs": goodRule}, completed(), false)
	e.srv.Buckets["trail-logs"].Region, e.srv.Buckets["eu-app-logs"].Region = "us-east-2", "eu-central-1"
	e.opts.Target.BucketRegions = map[string]string{"trail-logs": "us-east-2", "eu-app-logs": "eu-central-1"}
	e.opts.Source = e.account(srcAK, "us-west-2") // the profile's Region is neither: bucketRegions decides
	r := e.run()
	require.True(t, r.OK)
	for _, b := range r.Buckets {
		assert.Equal(t, e.opts.Target.BucketRegions[b.Bucket], b.Region, b.Bucket)
		assert.Equal(t, "the source stack's bucketRegions", b.RegionFrom)
	}
	seen := map[string]map[string]bool{}
	for _, c := range e.srv.Calls {
		bucket, _, _ := strings.Cut(strings.TrimPrefix(c.URI, "/"), "/")
		bucket, _, _ = strings.Cut(bucket, "?")
		if c.Service != "s3" || bucket == "" {
			continue
		}
		if seen[bucket] == nil {
			seen[bucket] = map[string]bool{}
		}
		seen[bucket][c.Method+" "+c.Region] = true
	}
	assert.Equal(t, map[string]bool{"GET us-east-2": true, "PUT us-east-2": true, "HEAD us-east-2": true}, seen["trail-logs"])
	assert.Equal(t, map[string]bool{"GET eu-central-1": true, "PUT eu-central-1": true, "HEAD eu-central-1": true}, seen["eu-app-logs"])
	assert.Equal(t, map[string]bool{"GET eu-west-1": true, "HEAD eu-west-1": true}, seen[archive])

	var text bytes.Buffer
	require.NoError(t, r.WriteText(&text))
	assert.Contains(t, text.String(), "source s3://eu-app-logs: ok\n  region eu-central-1 (from the source stack's bucketRegions)\n")
}

// Outputs older than bucketRegions: every bucket in the fallback Region. A bucket elsewhere gets S3's
// PermanentRedirect, and verify says where the bucket is and what to pass.
func TestWithoutBucketRegionsABucketInAnotherRegionSaysWhereItIs(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": goodRule, "eu-app-logs": goodRule}, completed(), false)
	e.srv.Buckets["trail-logs"].Region, e.srv.Buckets["eu-app-logs"].Region = "us-east-2", "eu-central-1"
	e.opts.SourceRegion, e.opts.SourceRegionFrom = "us-east-2", "--source-region"
	r := e.run()
	require.False(t, r.OK)
	for _, b := range r.Buckets {
		assert.Equal(t, "us-east-2", b.Region)
		assert.Equal(t, "--source-region", b.RegionFrom)
		if b.Bucket == "trail-logs" {
			assert.True(t, b.OK)
			continue
		}
		c := check(t, b, "replication rule")
		assert.Equal(t, Fail, c.Status)
		assert.Contains(t, c.Got, "PermanentRedirect")
		assert.Contains(t, c.Cause, "the bucket is in eu-central-1, but verify called it in us-east-2 (from --source-region)")
		assert.Contains(t, c.Cause, "pass --source-region eu-central-1")
		assert.Empty(t, b.CanaryKey, "nothing written")
	}

	// bucketRegions naming only some buckets: the others fall back, and say so.
	e = newEnv(t, map[string]rule{"trail-logs": goodRule}, completed(), false)
	e.opts.Target.BucketRegions = map[string]string{"other-logs": "eu-central-1"}
	r = e.run()
	assert.True(t, r.OK)
	assert.Equal(t, "us-east-2", r.Buckets[0].Region)
	assert.Equal(t, "the source credentials' Region; the source stack's bucketRegions does not name this bucket", r.Buckets[0].RegionFrom)
}

// R4.13, R5.11: every class replicaStorageClass accepts. GLACIER and DEEP_ARCHIVE replicas answer GetObject
// with InvalidObjectState until restored, so verify checks their status, key, class and lock with
// HeadObject, does not read the body, and says so; every other class is read back byte for byte.
func TestEveryReplicaStorageClass_ArchivedReplicasPassWithoutTheirBodyRead(t *testing.T) {
	for _, class := range append([]string{""}, awsid.ReplicaStorageClasses...) {
		t.Run(orDefault(class, "unset"), func(t *testing.T) {
			withClass := goodRule
			withClass.class = class
			rep := completed()
			rep.class = class
			e := newEnv(t, map[string]rule{"trail-logs": withClass}, rep, true)
			r := e.run()
			require.True(t, r.OK)
			b := r.Buckets[0]
			for _, name := range []string{"replica status", "replica encryption", "replica key", "replica object lock"} {
				assert.Equal(t, OK, check(t, b, name).Status, name)
			}
			sc := check(t, b, "replica storage class")
			assert.Equal(t, OK, sc.Status)
			assert.Equal(t, orDefault(class, "STANDARD"), sc.Got)

			bodyReads := 0
			for _, req := range e.srv.Requests {
				if strings.HasPrefix(req, "GET /"+archive+"/"+b.CanaryKey) {
					bodyReads++
				}
			}
			read := check(t, b, "replica readable")
			var text bytes.Buffer
			require.NoError(t, r.WriteText(&text))
			if class == "GLACIER" || class == "DEEP_ARCHIVE" {
				assert.Equal(t, Skipped, read.Status)
				assert.Equal(t, "body not read: storage class "+class, read.Got)
				assert.Contains(t, read.Cause, "InvalidObjectState")
				assert.Contains(t, read.Cause, "verify did not read the body")
				assert.Contains(t, read.Facts, "R5.11")
				assert.Zero(t, bodyReads, "no GetObject on an archived replica")
				assert.Contains(t, text.String(), "replica readable: S3 answers GetObject on an object in storage class "+class)
			} else {
				assert.Equal(t, OK, read.Status, "GLACIER_IR and the other classes are read")
				assert.Equal(t, 1, bodyReads)
			}
		})
	}
}

// An Intelligent-Tiering replica in an archive tier is not read either (a fresh canary never is: the
// archive tiers start after 90 and 180 days without access, R5.11), and a replica in another class
// than the rule names fails (R4.13).
func TestReplicaStorageClass_ArchiveTierAndMismatch(t *testing.T) {
	it := goodRule
	it.class = "INTELLIGENT_TIERING"
	rep := completed()
	rep.class, rep.tier = "INTELLIGENT_TIERING", "ARCHIVE_ACCESS"
	r := newEnv(t, map[string]rule{"trail-logs": it}, rep, true).run()
	require.True(t, r.OK)
	read := check(t, r.Buckets[0], "replica readable")
	assert.Equal(t, Skipped, read.Status)
	assert.Equal(t, "body not read: storage class INTELLIGENT_TIERING, tier ARCHIVE_ACCESS", read.Got)

	glacier := goodRule
	glacier.class = "GLACIER"
	r = newEnv(t, map[string]rule{"trail-logs": glacier}, completed(), true).run()
	require.False(t, r.OK)
	c := check(t, r.Buckets[0], "replica storage class")
	assert.Equal(t, Fail, c.Status)
	assert.Equal(t, "STANDARD", c.Got)
	assert.Equal(t, "GLACIER", c.Want)
	assert.Equal(t, []string{"R4.13"}, c.Facts)
}

// The fake answers GetObject on archived objects as S3 does: 403 InvalidObjectState (R5.11).
func TestFakeAnswersGetObjectOnArchivedObjectsWithInvalidObjectState(t *testing.T) {
	e := newEnv(t, map[string]rule{"trail-logs": goodRule}, completed(), false)
	for _, tc := range []struct {
		class, tier string
		archived    bool
	}{
		{"STANDARD", "", false}, {"STANDARD_IA", "", false}, {"ONEZONE_IA", "", false}, {"GLACIER_IR", "", false},
		{"INTELLIGENT_TIERING", "", false}, {"INTELLIGENT_TIERING", "ARCHIVE_ACCESS", true},
		{"INTELLIGENT_TIERING", "DEEP_ARCHIVE_ACCESS", true}, {"GLACIER", "", true}, {"DEEP_ARCHIVE", "", true},
	} {
		key := "archived/" + tc.class + tc.tier
		e.srv.Buckets[archive].Objects[key] = &awsfake.Object{Body: []byte("x"), VersionID: "v1", StorageClass: tc.class, ArchiveStatus: tc.tier}
		_, err := e.opts.Archive.S3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(archive), Key: aws.String(key)})
		if !tc.archived {
			assert.NoError(t, err, key)
			continue
		}
		require.Error(t, err, key)
		assert.Equal(t, "InvalidObjectState", errorCode(err), key)
		var re *smithyhttp.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 403, re.HTTPStatusCode(), key)
	}
}
