# syntax=docker/dockerfile:1
# Build: cgo is required by the SQLite driver (gorm.io/driver/sqlite → mattn/go-sqlite3).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/corridor ./cmd/corridor \
 && mkdir -p /out/data

# Run: glibc for the cgo binary, no shell, non-root.
FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /out/corridor /usr/local/bin/corridor
COPY --from=build --chown=nonroot:nonroot /out/data /data
WORKDIR /
ENV CORRIDOR_ADDR=:8080 CORRIDOR_DB=/data/corridor.db
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/corridor", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/corridor"]
CMD ["serve"]
