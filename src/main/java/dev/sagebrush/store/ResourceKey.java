package dev.sagebrush.store;

/** A resource's identity: unique per (account, region, kind, name), as SageMaker names are per account and region. */
public record ResourceKey(String account, String region, String kind, String name) {}
