package dev.cloudscope.cloudbuild;

/**
 * Why a client could not join its namespace: {@code reason} as {@link CloudbuildClient.Builder#onConnectError} gets
 * it, and whether the server refused ({@code unauthorized}, {@code Invalid namespace}, a feature switched off) as
 * opposed to the connection failing ({@code connection refused}, {@code connection timed out}...).
 */
public record ConnectError(String reason, boolean byServer) {
}
