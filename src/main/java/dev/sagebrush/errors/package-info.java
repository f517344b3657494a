/**
 * The AWS errors every layer may raise ({@link dev.sagebrush.errors.AwsException}: an error code, an HTTP status and
 * AWS's message), in a package of its own so that neither {@code auth} nor {@code protocol} has to import the other
 * to raise or render one. Features, auth and validation throw them; {@code protocol} encodes them for the wire
 * protocol of the call. The store throws none: it knows nothing of AWS.
 */
package dev.sagebrush.errors;
