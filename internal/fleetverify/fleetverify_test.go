package fleetverify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/awsfake"
)

const (
	archiveAccount = "111111111111"
	archiveBucket  = "acme-log-archive"
	archiveKey     = "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555"
	baseKey        = "AKIAFLEETHUB"
)

// How an account of the test fleet is broken (or not).
const (
	healthy       = "healthy"
	roleDenied    = "role cannot be assumed"
	notDeployed   = "no stack outputs"
	noReplication = "no replication configuration"
	wrongKey      = "replica key is not the archive key"
	ruleDisabled  = "rule disabled"
	ruleDenied    = "GetBucketReplication denied"
)

// fault is the way account i fails: 50 accounts, six kinds of failure and one kind of skip.
func fault(i int) string {
	switch {
	case i == 3 || i == 31:
		return roleDenied
	case i == 7:
		return notDeployed
	case i == 12 || i == 40:
		return noReplication
	case i == 18:
		return wrongKey
	case i == 25:
		return ruleDisabled
	case i == 44:
		return ruleDenied
	}
	return healthy
}

func account(i int) string { return fmt.Sprintf("3000000000%02d", i) }
func stack(i int) string   { return fmt.Sprintf("workload-%02d", i) }
func bucket(i int) string  { return fmt.Sprintf("acme-logs-%02d", i) }
func role(acct string) string {
	return "arn:aws:iam::" + acct + ":role/log-archive-github-previewer"
}

func ruleXML(acct, replicaKey, status string) string {
	return fmt.Sprintf(`<ReplicationConfiguration><Role>arn:aws:iam::%s:role/log-archive/log-archive-replication</Role><Rule><ID>log-archive-%s</ID>`+
		`<Priority>1</Priority><Status>%s</Status><Filter><Prefix></Prefix></Filter><SourceSelectionCriteria><SseKmsEncryptedObjects>`+
		`<Status>Enabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria><Destination><Bucket>arn:aws:s3:::%s</Bucket>`+
		`<Account>%s</Account><EncryptionConfiguration><ReplicaKmsKeyID>%s</ReplicaKmsKeyID></EncryptionConfiguration>`+
		`</Destination></Rule></ReplicationConfiguration>`, acct, archiveBucket, status, archiveBucket, archiveAccount, replicaKey)
}

// fleet is n source accounts behind the in-process S3/STS, each broken as fault says, and the options
// that verify them.
func fleet(t testing.TB, n int) (*awsfake.Server, Options) {
	t.Helper()
	srv := awsfake.New()
	t.Cleanup(srv.Close)
	srv.Accounts[baseKey] = "999999999999" // the hub the roles are assumed from
	outputs := map[string]map[string]any{"destination": {
		"archiveAccountId": archiveAccount, "archiveRegion": "eu-west-1", "archiveBucketName": archiveBucket,
		"archiveKeyArn": archiveKey, "archiveObjectLockEnabled": false,
		// The rest of what contract.ParseArchive requires of an archive's outputs.
		"contractVersion": 1, "archiveBucketArn": "arn:aws:s3:::" + archiveBucket,
		"replicationRoleName": "log-archive-replication", "replicationRolePath": "/log-archive/",
		"sourceAccountIds": []string{},
	}}
	denied := map[string]bool{}
	o := Options{
		Archive:     Stack{Name: "destination", Account: archiveAccount, Region: "eu-west-1", Role: role(archiveAccount)},
		Concurrency: 8, S3Options: []func(*s3.Options){func(o *s3.Options) { o.UsePathStyle = true }},
		Now: func() time.Time { return time.Date(2026, 12, 4, 6, 0, 0, 0, time.UTC) },
	}
	for i := range n {
		acct, f := account(i), fault(i)
		o.Sources = append(o.Sources, Stack{Name: stack(i), Account: acct, Region: "eu-west-1", Role: role(acct)})
		b := srv.AddBucket(bucket(i))
		b.Region = "eu-west-1"
		switch f {
		case noReplication:
		case wrongKey:
			b.ReplicationXML = ruleXML(acct, "alias/aws/s3", "Enabled")
		case ruleDisabled:
			b.ReplicationXML = ruleXML(acct, archiveKey, "Disabled")
		default:
			b.ReplicationXML = ruleXML(acct, archiveKey, "Enabled")
		}
		if f == roleDenied {
			denied[role(acct)] = true
		}
		if f == ruleDenied {
			denied["GetBucketReplication "+acct] = true
		}
		if f != notDeployed {
			outputs[stack(i)] = map[string]any{
				"replicationRoleArn": "arn:aws:iam::" + acct + ":role/log-archive/log-archive-replication",
				"replicatedBuckets":  []any{bucket(i)}, "bucketRegions": map[string]any{bucket(i): "eu-west-1"},
				"archiveBucketName": archiveBucket, "archiveKeyArn": archiveKey,
			}
		}
	}
	srv.DenyAssume = func(roleArn string) bool { return denied[roleArn] }
	srv.Deny = func(op, acct, _, _ string) bool { return denied[op+" "+acct] }
	o.Outputs = func(_ context.Context, name string) (map[string]any, error) {
		if out, ok := outputs[name]; ok {
			return out, nil
		}
		return nil, errors.New("stack " + name + " has no outputs")
	}
	o.Credentials = func(ctx context.Context, roleArn, region string) (aws.Config, error) {
		cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(baseKey, "s", ""),
			HTTPClient: srv.HTTPClient(), BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1}
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), roleArn))
		_, err := cfg.Credentials.Retrieve(ctx)
		return cfg, err
	}
	return srv, o
}

// 50 accounts failing in different ways: each row says how, the report fails, the others pass.
func TestFleetVerify_50AccountsEachFailureInItsColumn(t *testing.T) {
	_, o := fleet(t, 50)
	r, err := Run(context.Background(), o)
	require.NoError(t, err)
	require.Len(t, r.Rows, 50)
	assert.False(t, r.OK)
	assert.Equal(t, 7, r.Failing(), "two role denials, one undeployed stack, two without replication, a wrong key, a disabled rule")
	assert.Equal(t, []string{ColumnOutputs, ColumnCredentials, "replication rule", "rule destination", "rule replicates SSE-KMS",
		"rule replica key", "rule role", "canary written"}, r.Columns)

	want := map[string]map[string]string{ // the cells that are not OK, per fault
		healthy:       {"canary written": Skipped},
		roleDenied:    {ColumnCredentials: Failed, "replication rule": Skipped, "rule destination": Skipped, "rule replicates SSE-KMS": Skipped, "rule replica key": Skipped, "rule role": Skipped, "canary written": Skipped},
		notDeployed:   {ColumnOutputs: Failed, ColumnCredentials: Skipped, "replication rule": Skipped, "rule destination": Skipped, "rule replicates SSE-KMS": Skipped, "rule replica key": Skipped, "rule role": Skipped, "canary written": Skipped},
		noReplication: {"replication rule": Failed, "rule destination": Skipped, "rule replicates SSE-KMS": Skipped, "rule replica key": Skipped, "rule role": Skipped, "canary written": Skipped},
		wrongKey:      {"rule replica key": Failed, "canary written": Skipped},
		ruleDisabled:  {"replication rule": Failed, "canary written": Skipped},
		ruleDenied:    {"replication rule": Skipped, "rule destination": Skipped, "rule replicates SSE-KMS": Skipped, "rule replica key": Skipped, "rule role": Skipped, "canary written": Skipped},
	}
	for i, row := range r.Rows {
		f := fault(i)
		t.Run(stack(i)+" "+f, func(t *testing.T) {
			assert.Equal(t, account(i), row.Account)
			for _, c := range r.Columns {
				expected := OK
				if v, ok := want[f][c]; ok {
					expected = v
				}
				assert.Equal(t, expected, row.Cells[c], c)
			}
		})
	}
	assert.Equal(t, []string{"credentials: assuming arn:aws:iam::300000000003:role/log-archive-github-previewer: AccessDenied: Not authorized to perform sts:AssumeRole on arn:aws:iam::300000000003:role/log-archive-github-previewer. " +
		"Fix: check that the role exists in account 300000000003 and trusts the principal fleet verify runs as (in GitHub Actions: the fleet-health environment)"}, r.Rows[3].Problems)
	assert.Contains(t, strings.Join(r.Rows[18].Problems, "\n"), "rule replica key (s3://acme-logs-18): ReplicaKmsKeyID is not the archive key's full ARN")
}

func TestFleetVerify_MarkdownJSONAndPicture(t *testing.T) {
	_, o := fleet(t, 50)
	r, err := Run(context.Background(), o)
	require.NoError(t, err)

	var md bytes.Buffer
	require.NoError(t, r.WriteMarkdown(&md, 0))
	text := md.String()
	assert.True(t, strings.HasPrefix(text, "# Fleet health: 7 of 50 source accounts FAILED a check\n"))
	assert.Contains(t, text, "### 300000000018 (`workload-18`)\n\n- rule replica key (s3://acme-logs-18): ReplicaKmsKeyID is not the archive key's full ARN")
	assert.Contains(t, text, "| 300000000000 | `workload-00` | OK | OK | OK | OK | OK | OK | OK | SKIPPED |\n")
	assert.Less(t, strings.Index(text, "| 300000000003 |"), strings.Index(text, "| 300000000000 |"), "worst first")
	var small bytes.Buffer
	require.NoError(t, r.WriteMarkdown(&small, 4000))
	assert.Contains(t, small.String(), "43 passing accounts are left out to fit a GitHub issue")
	assert.NotContains(t, small.String(), "| 300000000000 |")
	assert.Contains(t, small.String(), "| 300000000018 |")

	var js bytes.Buffer
	require.NoError(t, r.WriteJSON(&js))
	var decoded struct {
		OK   bool `json:"ok"`
		Rows []struct {
			Account string            `json:"account"`
			Cells   map[string]string `json:"cells"`
		} `json:"rows"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &decoded))
	assert.False(t, decoded.OK)
	assert.Equal(t, Failed, decoded.Rows[25].Cells["replication rule"])

	var pic bytes.Buffer
	require.NoError(t, r.WritePNG(&pic))
	img, err := png.Decode(&pic)
	require.NoError(t, err)
	p := NewPicture(r)
	assert.Equal(t, p.Bounds(), img.Bounds())
	assert.Equal(t, 50*lineHeight+p.gridTop+margin, img.Bounds().Dy(), "one line per account")
	// Find workload-18 among the rows (worst first) and its "rule replica key" column.
	row := -1
	for i, x := range p.Rows() {
		if x.Stack == "workload-18" {
			row = i
		}
	}
	require.GreaterOrEqual(t, row, 0)
	col := indexOf(r.Columns, "rule replica key")
	centre := func(i, j int) (uint32, uint32, uint32) {
		c := p.Cell(i, j)
		red, g, b, _ := img.At((c.Min.X+c.Max.X)/2, (c.Min.Y+c.Max.Y)/2).RGBA()
		return red >> 8, g >> 8, b >> 8
	}
	r8, g8, b8 := centre(row, col)
	assert.Equal(t, [3]uint32{0xcf, 0x22, 0x2e}, [3]uint32{r8, g8, b8}, "the failing cell is red")
	r8, g8, b8 = centre(len(p.Rows())-1, 0)
	assert.Equal(t, [3]uint32{0x2d, 0xa4, 0x4e}, [3]uint32{r8, g8, b8}, "a passing cell is green")
	r8, g8, b8 = centre(row, indexOf(r.Columns, "canary written"))
	assert.Equal(t, [3]uint32{0xd0, 0xd7, 0xde}, [3]uint32{r8, g8, b8}, "a skipped cell is grey")
}

func TestFleetVerify_AllPassIsOK(t *testing.T) {
	_, o := fleet(t, 3) // accounts 0..2 are healthy
	r, err := Run(context.Background(), o)
	require.NoError(t, err)
	assert.True(t, r.OK)
	assert.Equal(t, "all 3 source accounts pass every check", r.Headline())
}

// The archive's own outputs or role failing fails every row, each saying why.
func TestFleetVerify_ArchiveUnreachableFailsEveryRow(t *testing.T) {
	srv, o := fleet(t, 3)
	srv.DenyAssume = func(string) bool { return true }
	r, err := Run(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, 3, r.Failing())
	assert.Contains(t, r.Rows[0].Problems[0], "the archive account 111111111111's role")
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// BenchmarkFleetVerify verifies 200 accounts against the stand-in, 8 at a time, and draws the picture.
func BenchmarkFleetVerify(b *testing.B) {
	_, o := fleet(b, 200)
	for b.Loop() {
		r, err := Run(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.WritePNG(&bytes.Buffer{}); err != nil {
			b.Fatal(err)
		}
	}
}
