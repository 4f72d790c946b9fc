package stackconfig

import (
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"log-archive/internal/fielderr"
)

// fieldKey is the stack-file key a component's argument field is read from. Key holds a {} for each index
// (or map key) of the field's path, in order. OrFix, when set, is appended to the component's fix: what
// else the stack file can do about it (remove the key for its default).
type fieldKey struct {
	Key   string
	OrFix string
	// Value, when set, is the value shown (the component's value is what it was given, not the key's).
	Value string
	// Unless are keys whose problem the field's problem comes from: a key that could not be decoded
	// reaches the component empty.
	Unless []string
}

// fieldKeys maps the field paths a component reports (fielderr.Error.Path) to the stack file's keys.
// A path's indexes are written [] here: Buckets[].KMSKeyArns[] is every Buckets[i].KMSKeyArns[j].
type fieldKeys map[string]fieldKey

// destinationFields are DestinationArchiveArgs' fields.
var destinationFields = fieldKeys{
	"AccountID":                        {Key: KeyArchiveAccountID},
	"Region":                           {Key: KeyRegion},
	"BucketName":                       {Key: KeyArchiveBucketName},
	"ReplicationRoleName":              {Key: KeyReplicationRoleName, OrFix: ", or remove the key for the default " + DefaultReplicationRoleName},
	"ReplicationRolePath":              {Key: KeyReplicationRolePath, OrFix: ", or remove the key for the default " + DefaultReplicationRolePath},
	"KeyAlias":                         {Key: KeyKeyAlias, OrFix: ", or remove the key for the default " + DefaultKeyAlias},
	"Tags":                             {Key: KeyTags},
	"SourceAccountIDs":                 {Key: KeySourceAccountIDs},
	"SourceAccountIDs[]":               {Key: KeySourceAccountIDs + "[{}]"},
	"SourceOrganization":               {Key: KeySourceOrganization},
	"SourceOrganization.ID":            {Key: KeySourceOrganization + ".id"},
	"SourceOrganization.Paths":         {Key: KeySourceOrganization + ".paths"},
	"KeyAdministratorArns":             {Key: KeyKeyAdministratorArns},
	"SourceOrganization.Paths[]":       {Key: KeySourceOrganization + ".paths[{}]"},
	"SourcePrincipals":                 {Key: KeySourcePrincipals},
	"KeyAdministratorArns[]":           {Key: KeyKeyAdministratorArns + "[{}]"},
	"ObjectLock.Mode":                  {Key: KeyObjectLock + ".mode"},
	"ObjectLock.Days":                  {Key: KeyObjectLock + ".days"},
	"Lifecycle":                        {Key: KeyLifecycle},
	"Lifecycle.TransitionDays":         {Key: KeyLifecycle + ".noncurrentTransitionDays"},
	"Lifecycle.TransitionStorageClass": {Key: KeyLifecycle + ".noncurrentTransitionStorageClass"},
	"Lifecycle.ExpirationDays":         {Key: KeyLifecycle + ".noncurrentExpirationDays"},
}

var pathIndex = regexp.MustCompile(`\[[^\]]*\]`)

// lookup is the row of path, and the key it names with path's indexes filled in.
func (fk fieldKeys) lookup(path string) (fieldKey, string, bool) {
	row, ok := fk[pathIndex.ReplaceAllString(path, "[]")]
	if !ok {
		return fieldKey{}, "", false
	}
	key := row.Key
	for _, ix := range pathIndex.FindAllString(path, -1) {
		key = strings.Replace(key, "{}", ix[1:len(ix)-1], 1)
	}
	return row, key, true
}

// name is the stack-file key of path; a path the table does not know keeps its own name (a test makes
// sure every path a component reports is in the table).
func (fk fieldKeys) name(path string) string {
	if _, key, ok := fk.lookup(path); ok {
		return key
	}
	return path
}

// component reports the field problems of a component's validation err under the stack file's keys. A
// key already reported (by the decoding, or as missing) is not reported again: one mistake, one message.
// Problems that belong to no field are returned.
func (r *reader) component(err error, fk fieldKeys) []error {
	fields, others := fielderr.All(err)
	for _, e := range fields {
		row, key, _ := fk.lookup(e.Path)
		if key == "" {
			key = e.Path
		}
		if r.reported(key) || slices.ContainsFunc(row.Unless, r.reported) {
			continue
		}
		value := e.Value
		if row.Value != "" {
			value = row.Value
		}
		if value == "" {
			value = shown(r.raw(key)) // a whole key's value, as written
		}
		r.fail(key, value, fielderr.Expand(e.Problem, fk.name), fielderr.Expand(e.Fix, fk.name)+row.OrFix)
	}
	return others
}

// shown is a key's raw value as an error shows it: structured values, numbers and booleans as written,
// text quoted, "" when not set.
func shown(raw string) string {
	if raw == "" {
		return ""
	}
	if _, err := strconv.ParseFloat(raw, 64); err == nil || raw == "true" || raw == "false" {
		return raw
	}
	return display(raw)
}

// fields are sourceFields with the rows of the archive's contract, which name the archive's stack.
func (s *SourceSettings) fields() fieldKeys {
	fk := maps.Clone(sourceFields)
	stack := DestinationStackName(s.DestinationStack)
	fk["Archive"] = fieldKey{Key: KeyDestinationStack, Value: quote(s.DestinationStack), OrFix: "; `pulumi up --stack " + stack + "` deploys it"}
	fk["Archive.SourceAccountIDs"] = fieldKey{Key: KeySourceAccountIDs + " in Pulumi." + stack + ".yaml"}
	return fk
}

// RefuseSource reports the problems a source stack's SourceReplicatorArgs.ValidateAgainstArchive finds,
// under the keys of its stack file.
func (s *SourceSettings) RefuseSource(err error) error {
	if err == nil {
		return nil
	}
	r := &reader{file: s.File}
	others := r.component(err, s.fields())
	switch {
	case len(r.errs) == 0:
		return errors.Join(others...)
	case len(others) == 0:
		return r.errs
	}
	return errors.Join(append([]error{r.errs}, others...)...)
}

// reported says whether key, a key that holds it or one it holds already has a problem.
func (r *reader) reported(key string) bool {
	within := func(inner, outer string) bool {
		return inner == outer || strings.HasPrefix(inner, outer+".") || strings.HasPrefix(inner, outer+"[")
	}
	for _, e := range r.errs {
		if within(key, e.Key) || within(e.Key, key) {
			return true
		}
	}
	return false
}

// sourceFields are SourceReplicatorArgs' fields, its log buckets' included.
var sourceFields = fieldKeys{
	"":                       {Key: KeySourceBuckets + " and " + KeyLogBuckets},
	"AccountID":              {Key: KeySourceAccountID},
	"Region":                 {Key: KeyRegion},
	"Tags":                   {Key: KeyTags},
	"StorageClass":           {Key: KeyReplicaStorageClass},
	"DisableMetrics":         {Key: KeyReplicationMetrics},
	"ReplicationTimeControl": {Key: KeyReplicationTimeControl},
	"Alarms.TopicArns[]":     {Key: KeyAlarms + ".topicArns.{}"},
	"Buckets": {Key: KeySourceBuckets, Unless: []string{KeyLogBuckets},
		OrFix: " (" + KeySourceBuckets + ": " + bucketShape + "; " + KeyLogBuckets + ": " + logShape + ")"},
	"Buckets[]":                        {Key: KeySourceBuckets + "[{}]"},
	"Buckets[].Name":                   {Key: KeySourceBuckets + "[{}].name"},
	"Buckets[].KMSKeyArns":             {Key: KeySourceBuckets + "[{}].kmsKeyArns"},
	"Buckets[].KMSKeyArns[]":           {Key: KeySourceBuckets + "[{}].kmsKeyArns[{}]"},
	"Buckets[].Region":                 {Key: KeySourceBuckets + "[{}].region"},
	"Buckets[].Prefix":                 {Key: KeySourceBuckets + "[{}].prefix"},
	"Buckets[].ObjectLock":             {Key: KeySourceBuckets + "[{}].objectLock"},
	"LogBuckets":                       {Key: KeyLogBuckets},
	"LogBuckets[]":                     {Key: KeyLogBuckets + "[{}]"},
	"LogBuckets[].Name":                {Key: KeyLogBuckets + "[{}].name"},
	"LogBuckets[].Region":              {Key: KeyLogBuckets + "[{}].region"},
	"LogBuckets[].AdoptKeyArn":         {Key: KeyLogBuckets + "[{}].adoptKeyArn"},
	"LogBuckets[].Services":            {Key: KeyLogBuckets + "[{}].services"},
	"LogBuckets[].Services[]":          {Key: KeyLogBuckets + "[{}].services[{}]"},
	"LogBuckets[].GuardDutyDetectorID": {Key: KeyLogBuckets + "[{}].guardDutyDetectorId"},
	"LogBuckets[].TrailNames":          {Key: KeyLogBuckets + "[{}].trailNames"},
	"LogBuckets[].TrailNames[]":        {Key: KeyLogBuckets + "[{}].trailNames[{}]"},
	"LogBuckets[].ObjectLock":          {Key: KeyLogBuckets + "[{}].objectLock"},
	"LogBuckets[].ServiceRegion":       {Key: KeyLogBuckets + "[{}].serviceRegion"},
}

// fleetFields are FleetMonitoringArgs' fields: log-archive:monitoring's, and those it repeats of the archive.
var fleetFields = fieldKeys{
	"AccountID":                  {Key: KeyArchiveAccountID},
	"ArchiveRegion":              {Key: KeyRegion},
	"ArchiveBucket":              {Key: KeyArchiveBucketName},
	"Tags":                       {Key: KeyTags},
	"Regions":                    {Key: KeyMonitoring + ".regions"},
	"Regions[]":                  {Key: KeyMonitoring + ".regions[{}]"},
	"SourceAccountIDs[]":         {Key: KeySourceAccountIDs + "[{}]"},
	"SourceOrganization.ID":      {Key: KeySourceOrganization + ".id"},
	"SourceOrganization.Paths[]": {Key: KeySourceOrganization + ".paths[{}]"},
	"TopicArns[]":                {Key: KeyMonitoring + ".topicArns.{}"},
}
