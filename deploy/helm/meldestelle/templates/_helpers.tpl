{{/* The chart's name, shortened for label values. */}}
{{- define "meldestelle.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of a service's objects: <release>-<service>, or <service> when the release is called meldestelle. */}}
{{- define "meldestelle.fullname" -}}
{{- $root := index . 0 -}}{{- $service := index . 1 -}}
{{- if eq $root.Release.Name "meldestelle" -}}
{{- printf "meldestelle-%s" $service | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" $root.Release.Name $service | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object of the release. */}}
{{- define "meldestelle.labels" -}}
app.kubernetes.io/name: {{ include "meldestelle.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels of one service's pods. */}}
{{- define "meldestelle.selectorLabels" -}}
{{- $root := index . 0 -}}{{- $service := index . 1 -}}
app.kubernetes.io/name: {{ include "meldestelle.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ $service }}
{{- end -}}

{{/* The Secret holding a service's secret files. */}}
{{- define "meldestelle.secretName" -}}
{{- $root := index . 0 -}}{{- $service := index . 1 -}}
{{- (index $root.Values $service).secretName | default (include "meldestelle.fullname" (list $root $service)) -}}
{{- end -}}

{{/* A service's image reference. */}}
{{- define "meldestelle.image" -}}
{{- $root := index . 0 -}}{{- $service := index . 1 -}}
{{- $repository := (index $root.Values $service).image.repository -}}
{{- $tag := $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- if $root.Values.image.registry -}}
{{- printf "%s/%s:%s" $root.Values.image.registry $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The services this release runs, in a fixed order. */}}
{{- define "meldestelle.services" -}}
{{- range $service := list "intake" "triage" "notify" -}}
{{- if (index $.Values $service).enabled }}{{ $service }} {{ end -}}
{{- end -}}
{{- end -}}
