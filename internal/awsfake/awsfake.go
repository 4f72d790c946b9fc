// Package awsfake is an in-process stand-in for the parts of S3, STS and S3 Control that cmd/verify and
// cmd/backfill call. It speaks their wire protocols (S3 REST-XML path style, STS query, S3 Control
// REST-XML) well enough for the real AWS SDK for Go v2 clients, so the commands' logic is tested through
// the same SDK calls it makes against AWS, with no network beyond 127.0.0.1.
//
// Callers are identified by the access key ID in the SigV4 Authorization header (the signature is not
// checked): Accounts maps each known key to its account; any other key gets AWS's answer to an unknown
// key. The Region a request is for is the one in the SigV4 credential scope (what the SDK signs for is
// the Region it resolved the endpoint in): a Bucket with a Region refuses requests for any other, as S3
// does (301 PermanentRedirect, with x-amz-bucket-region), and an S3 Batch Operations job is seen only
// in the Region it was created in. Tests shape the behaviour with hooks (OnPut, OnHead, Deny, OnDescribe).
package awsfake

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Object is one object version as S3 reports it.
type Object struct {
	Body              []byte
	VersionID         string
	SSE               string // "aws:kms" or "AES256"
	KMSKeyID          string
	ReplicationStatus string // PENDING, COMPLETED, FAILED, REPLICA or ""
	LockMode          string
	RetainUntil       time.Time
	// StorageClass is reported by HeadObject and GetObject when it is not STANDARD, as S3 does. GLACIER
	// and DEEP_ARCHIVE objects, and INTELLIGENT_TIERING ones in an archive tier (ArchiveStatus
	// ARCHIVE_ACCESS or DEEP_ARCHIVE_ACCESS), answer GetObject with 403 InvalidObjectState (R5.11).
	StorageClass  string
	ArchiveStatus string
}

// archived says whether GetObject answers InvalidObjectState for the object: it is in an archive class
// or tier and has not been restored (the fake restores nothing).
func (o *Object) archived() bool {
	return o.StorageClass == "GLACIER" || o.StorageClass == "DEEP_ARCHIVE" || o.ArchiveStatus != ""
}

// Bucket is a bucket and the settings the fake reads.
type Bucket struct {
	Objects        map[string]*Object
	ReplicationXML string // GET ?replication answers this; "" is ReplicationConfigurationNotFoundError
	DefaultSSE     string // what a PutObject without SSE headers is encrypted with
	DefaultKeyID   string
	// Region is where the bucket is: a request signed for another Region gets 301 PermanentRedirect
	// (S3's answer to a bucket addressed through another Region's endpoint). "" accepts any Region.
	Region string
}

// Job is an S3 Batch Operations job: the CreateJob request as received, and its state.
type Job struct {
	ID           string
	Account      string
	Region       string // the Region CreateJob was signed for: DescribeJob finds the job only there
	RequestXML   string
	Status       string
	Total        int64
	Succeeded    int64
	Failed       int64
	FailureCode  string
	FailureText  string
	ReportBucket string
	ReportPrefix string
	Describes    int
}

// Server is the fake. Zero hooks mean plain S3 behaviour.
type Server struct {
	*httptest.Server

	Mu       sync.Mutex
	Accounts map[string]string // access key ID -> account ID
	Buckets  map[string]*Bucket
	Jobs     map[string]*Job

	// OnPut runs after an object is stored (e.g. to mark it PENDING replication).
	OnPut func(s *Server, bucket, key string, o *Object)
	// OnHead runs before a HeadObject answers (e.g. to advance replication).
	OnHead func(s *Server, bucket, key string, o *Object)
	// Deny makes an operation ("PutObject", "HeadObject", "GetObject", "GetBucketReplication",
	// "CreateJob", "DescribeJob") answer 403 AccessDenied for the caller's account.
	Deny func(op, account, bucket, key string) bool
	// OnDescribe runs before DescribeJob answers (e.g. to advance the job).
	OnDescribe func(j *Job)
	// DenyAssume makes sts:AssumeRole and sts:AssumeRoleWithWebIdentity of a role answer 403
	// AccessDenied. A role that may be assumed gets credentials of the role's account.
	DenyAssume func(roleArn string) bool

	// Requests logs every request as "METHOD /path?query account".
	Requests []string
	// Calls logs every request with the Region and service of its SigV4 credential scope.
	Calls    []Call
	versions int
}

// Call is one request as received.
type Call struct {
	Method  string
	URI     string // path and query
	Account string // "" for an unknown access key
	Region  string // from the credential scope, e.g. eu-west-1
	Service string // s3 (S3 and S3 Control) or sts
}

// New starts a fake on 127.0.0.1.
func New() *Server {
	s := &Server{Accounts: map[string]string{}, Buckets: map[string]*Bucket{}, Jobs: map[string]*Job{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// HTTPClient dials this server whatever host a request names: S3 Control prefixes the account ID to
// the endpoint's host, and that host must still reach 127.0.0.1.
func (s *Server) HTTPClient() *http.Client {
	addr := s.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// AddBucket creates an empty bucket.
func (s *Server) AddBucket(name string) *Bucket {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	b := &Bucket{Objects: map[string]*Object{}}
	s.Buckets[name] = b
	return b
}

// Object returns the stored object (nil if none).
func (s *Server) Object(bucket, key string) *Object {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if b := s.Buckets[bucket]; b != nil {
		return b.Objects[key]
	}
	return nil
}

// Credential=AKID/20250611/eu-west-1/s3/aws4_request
var credentialRE = regexp.MustCompile(`Credential=([^/,]+)/[0-9]{8}/([^/,]+)/([^/,]+)/aws4_request`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	akid, region, service := "", "", ""
	if m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		akid, region, service = m[1], m[2], m[3]
	}
	s.Mu.Lock()
	defer s.Mu.Unlock()
	account, known := s.Accounts[akid]
	s.Requests = append(s.Requests, fmt.Sprintf("%s %s %s", r.Method, r.URL.RequestURI(), account))
	s.Calls = append(s.Calls, Call{Method: r.Method, URI: r.URL.RequestURI(), Account: account, Region: region, Service: service})

	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/" && strings.Contains(r.Header.Get("Content-Type"), "x-www-form-urlencoded"):
		s.sts(w, body, account, known)
	case strings.HasPrefix(r.URL.Path, "/v20180820/"):
		if !known {
			writeControlError(w, http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
			return
		}
		s.control(w, r, body, account, region)
	default:
		if !known {
			writeError(w, http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", r.Method == http.MethodHead)
			return
		}
		s.s3(w, r, body, account, region)
	}
}

func (s *Server) sts(w http.ResponseWriter, body []byte, account string, known bool) {
	if bytes.Contains(body, []byte("Action=AssumeRole")) {
		s.assumeRole(w, body, known)
		return
	}
	if !bytes.Contains(body, []byte("Action=GetCallerIdentity")) {
		http.Error(w, "unsupported STS action", http.StatusBadRequest)
		return
	}
	if !known {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>`+
			`<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message>`+
			`</Error><RequestId>fake</RequestId></ErrorResponse>`)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
		`<Arn>arn:aws:iam::%[1]s:user/tester</Arn><UserId>AIDAFAKE</UserId><Account>%[1]s</Account>`+
		`</GetCallerIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, account)
}

func (s *Server) denied(op, account, bucket, key string) bool {
	return s.Deny != nil && s.Deny(op, account, bucket, key)
}

func (s *Server) s3(w http.ResponseWriter, r *http.Request, body []byte, account, region string) {
	bucketName, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	head := r.Method == http.MethodHead
	b := s.Buckets[bucketName]
	if b == nil {
		writeError(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist", head)
		return
	}
	if b.Region != "" && region != b.Region {
		// S3's answer to a bucket addressed through another Region's endpoint (a HEAD has no body, so the
		// SDK sees only the status: MovedPermanently).
		w.Header().Set("x-amz-bucket-region", b.Region)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusMovedPermanently)
		if !head {
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message><Endpoint>%s.s3.%s.amazonaws.com</Endpoint><Bucket>%s</Bucket><RequestId>fake</RequestId></Error>`,
				bucketName, b.Region, bucketName)
		}
		return
	}
	q := r.URL.Query()
	switch {
	case key == "" && r.Method == http.MethodGet && q.Has("replication"):
		if s.denied("GetBucketReplication", account, bucketName, "") {
			writeError(w, http.StatusForbidden, "AccessDenied", "Access Denied", false)
			return
		}
		if b.ReplicationXML == "" {
			writeError(w, http.StatusNotFound, "ReplicationConfigurationNotFoundError", "The replication configuration was not found", false)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, b.ReplicationXML)
	case key != "" && r.Method == http.MethodPut:
		if s.denied("PutObject", account, bucketName, key) {
			writeError(w, http.StatusForbidden, "AccessDenied", "Access Denied", false)
			return
		}
		if strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") ||
			strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
			body = decodeChunked(body)
		}
		s.versions++
		o := &Object{Body: body, VersionID: fmt.Sprintf("v%04d", s.versions), SSE: b.DefaultSSE, KMSKeyID: b.DefaultKeyID}
		if v := r.Header.Get("X-Amz-Server-Side-Encryption"); v != "" {
			o.SSE, o.KMSKeyID = v, r.Header.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id")
		}
		b.Objects[key] = o
		if s.OnPut != nil {
			s.OnPut(s, bucketName, key, o)
		}
		w.Header().Set("ETag", `"fake"`)
		w.Header().Set("x-amz-version-id", o.VersionID)
		objectHeaders(w, o)
	case key != "" && (r.Method == http.MethodHead || r.Method == http.MethodGet):
		op := "GetObject"
		if head {
			op = "HeadObject"
		}
		o := b.Objects[key]
		if o != nil && head && s.OnHead != nil {
			s.OnHead(s, bucketName, key, o)
		}
		if s.denied(op, account, bucketName, key) {
			writeError(w, http.StatusForbidden, "AccessDenied", "Access Denied", head)
			return
		}
		if o == nil || (q.Get("versionId") != "" && q.Get("versionId") != o.VersionID) {
			writeError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", head)
			return
		}
		if !head && o.archived() {
			w.Header().Set("x-amz-storage-class", o.StorageClass)
			writeError(w, http.StatusForbidden, "InvalidObjectState", "The operation is not valid for the object's storage class", false)
			return
		}
		w.Header().Set("x-amz-version-id", o.VersionID)
		w.Header().Set("Content-Length", strconv.Itoa(len(o.Body)))
		w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
		objectHeaders(w, o)
		if !head {
			_, _ = w.Write(o.Body)
		}
	default:
		writeError(w, http.StatusNotImplemented, "NotImplemented", r.Method+" "+r.URL.RequestURI()+" is not faked", head)
	}
}

func objectHeaders(w http.ResponseWriter, o *Object) {
	set := func(k, v string) {
		if v != "" {
			w.Header().Set(k, v)
		}
	}
	set("x-amz-server-side-encryption", o.SSE)
	set("x-amz-server-side-encryption-aws-kms-key-id", o.KMSKeyID)
	set("x-amz-replication-status", o.ReplicationStatus)
	set("x-amz-object-lock-mode", o.LockMode)
	if o.StorageClass != "STANDARD" {
		set("x-amz-storage-class", o.StorageClass)
	}
	set("x-amz-archive-status", o.ArchiveStatus)
	if !o.RetainUntil.IsZero() {
		set("x-amz-object-lock-retain-until-date", o.RetainUntil.UTC().Format(time.RFC3339))
	}
}

// decodeChunked strips aws-chunked framing ("<hex size>[;ext]\r\n<data>\r\n ... 0\r\n<trailers>").
func decodeChunked(b []byte) []byte {
	var out []byte
	rd := bufio.NewReader(bytes.NewReader(b))
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return out
		}
		sizeHex, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		n, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil || n == 0 {
			return out
		}
		chunk := make([]byte, n)
		if _, err := io.ReadFull(rd, chunk); err != nil {
			return out
		}
		out = append(out, chunk...)
		_, _ = rd.ReadString('\n')
	}
}

func writeError(w http.ResponseWriter, status int, code, msg string, head bool) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if !head {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>fake</RequestId></Error>`, code, msg)
	}
}

// writeControlError is an S3 Control error, which wraps <Error> in <ErrorResponse>.
func writeControlError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Code>%s</Code><Message>%s</Message></Error><RequestId>fake</RequestId></ErrorResponse>`, code, msg)
}

// control answers S3 Control CreateJob and DescribeJob.
func (s *Server) control(w http.ResponseWriter, r *http.Request, body []byte, account, region string) {
	w.Header().Set("Content-Type", "application/xml")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v20180820/jobs":
		if s.denied("CreateJob", account, "", "") {
			writeControlError(w, http.StatusForbidden, "AccessDenied", "Access Denied")
			return
		}
		var req struct {
			Report struct {
				Bucket string `xml:"Bucket"`
				Prefix string `xml:"Prefix"`
			} `xml:"Report"`
		}
		_ = xml.Unmarshal(body, &req)
		id := fmt.Sprintf("job-%d", len(s.Jobs)+1)
		s.Jobs[id] = &Job{ID: id, Account: r.Header.Get("X-Amz-Account-Id"), Region: region, RequestXML: string(body), Status: "New",
			ReportBucket: req.Report.Bucket, ReportPrefix: req.Report.Prefix}
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><CreateJobResult><JobId>%s</JobId></CreateJobResult>`, id)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v20180820/jobs/"):
		if s.denied("DescribeJob", account, "", "") {
			writeControlError(w, http.StatusForbidden, "AccessDenied", "Access Denied")
			return
		}
		j := s.Jobs[strings.TrimPrefix(r.URL.Path, "/v20180820/jobs/")]
		if j == nil || j.Region != region { // jobs are regional
			writeControlError(w, http.StatusNotFound, "NoSuchJob", "The specified job does not exist")
			return
		}
		j.Describes++
		if s.OnDescribe != nil {
			s.OnDescribe(j)
		}
		failures := ""
		if j.FailureCode != "" {
			failures = fmt.Sprintf(`<FailureReasons><member><FailureCode>%s</FailureCode><FailureReason>%s</FailureReason></member></FailureReasons>`,
				j.FailureCode, j.FailureText)
		}
		report := `<Report><Enabled>false</Enabled></Report>`
		if j.ReportBucket != "" {
			report = fmt.Sprintf(`<Report><Bucket>%s</Bucket><Prefix>%s</Prefix><Enabled>true</Enabled><Format>Report_CSV_20180820</Format><ReportScope>FailedTasksOnly</ReportScope></Report>`,
				j.ReportBucket, j.ReportPrefix)
		}
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><DescribeJobResult><Job><JobId>%s</JobId><Status>%s</Status>`+
			`<ProgressSummary><TotalNumberOfTasks>%d</TotalNumberOfTasks><NumberOfTasksSucceeded>%d</NumberOfTasksSucceeded>`+
			`<NumberOfTasksFailed>%d</NumberOfTasksFailed></ProgressSummary>%s%s</Job></DescribeJobResult>`,
			j.ID, j.Status, j.Total, j.Succeeded, j.Failed, failures, report)
	default:
		writeControlError(w, http.StatusNotImplemented, "NotImplemented", r.Method+" "+r.URL.Path+" is not faked")
	}
}

// assumeRole answers AssumeRole (signed) and AssumeRoleWithWebIdentity (unsigned): credentials whose
// access key belongs to the role's account, unless DenyAssume refuses the role.
func (s *Server) assumeRole(w http.ResponseWriter, body []byte, known bool) {
	form, _ := url.ParseQuery(string(body))
	action, roleArn := form.Get("Action"), form.Get("RoleArn")
	parts := strings.Split(roleArn, ":")
	if action == "AssumeRole" && !known || len(parts) != 6 || s.DenyAssume != nil && s.DenyAssume(roleArn) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>`+
			`<Code>AccessDenied</Code><Message>Not authorized to perform sts:%s on %s</Message>`+
			`</Error><RequestId>fake</RequestId></ErrorResponse>`, action, roleArn)
		return
	}
	s.versions++
	akid := fmt.Sprintf("ASIA%s%06d", parts[4], s.versions)
	s.Accounts[akid] = parts[4]
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<%[1]sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%[1]sResult><Credentials>`+
		`<AccessKeyId>%[2]s</AccessKeyId><SecretAccessKey>fake</SecretAccessKey><SessionToken>fake</SessionToken>`+
		`<Expiration>%[3]s</Expiration></Credentials><AssumedRoleUser><Arn>%[4]s</Arn><AssumedRoleId>AROAFAKE:s</AssumedRoleId></AssumedRoleUser>`+
		`</%[1]sResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></%[1]sResponse>`,
		action, akid, time.Now().Add(time.Hour).UTC().Format(time.RFC3339), roleArn)
}
