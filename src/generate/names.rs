//! Word lists for plausible names: product families, ingredients,
//! packaging, regions, supplier and customer names. Only the look of the
//! data depends on them; lists are cycled with a numeric suffix when the
//! network outgrows them.

/// Product families (each gets a base intermediate and several finished SKUs).
pub const FAMILIES: &[&str] = &[
    "Hummus",
    "Greek Yogurt",
    "Granola",
    "Protein Bar",
    "Tomato Sauce",
    "Vegetable Soup",
    "Oat Drink",
    "Peanut Butter",
    "Salsa",
    "Pesto",
    "Vitamin Gummies",
    "Infant Cereal",
    "Salad Dressing",
    "Strawberry Jam",
    "Muesli",
    "Almond Butter",
    "Ketchup",
    "Mayonnaise",
    "Oat Cookies",
    "Lentil Soup",
    "Chocolate Spread",
    "Baba Ganoush",
    "Kefir",
    "Rice Pudding",
    "Sports Drink",
    "Fruit Puree",
    "Curry Paste",
    "Cereal Bar",
    "Plant Protein Shake",
    "Mustard",
];

/// Finished-goods variants.
pub const VARIANTS: &[&str] = &[
    "Classic", "Organic", "Light", "Spicy", "Garlic", "Family", "Kids", "Lemon", "Smoky",
    "Original",
];

/// Raw materials with their unit of measure.
pub const RAW: &[(&str, &str)] = &[
    ("Chickpeas, dried", "kg"),
    ("Sunflower oil", "l"),
    ("Sea salt", "kg"),
    ("Cane sugar", "kg"),
    ("Tahini", "kg"),
    ("Rolled oats", "kg"),
    ("Skim milk powder", "kg"),
    ("Whole milk", "l"),
    ("Tomato paste", "kg"),
    ("Lemon juice", "l"),
    ("Garlic, peeled", "kg"),
    ("Olive oil", "l"),
    ("Peanuts, roasted", "kg"),
    ("Almonds", "kg"),
    ("Honey", "kg"),
    ("Cocoa powder", "kg"),
    ("Whey protein", "kg"),
    ("Pea protein", "kg"),
    ("Vitamin premix", "kg"),
    ("Gelatin", "kg"),
    ("Pectin", "kg"),
    ("Citric acid", "kg"),
    ("Black pepper", "kg"),
    ("Paprika", "kg"),
    ("Onion powder", "kg"),
    ("Spirit vinegar", "l"),
    ("Egg yolk", "kg"),
    ("Mustard seed", "kg"),
    ("Strawberries, frozen", "kg"),
    ("Apple puree", "kg"),
    ("Rice flour", "kg"),
    ("Wheat flour", "kg"),
    ("Glucose syrup", "kg"),
    ("Cumin", "kg"),
    ("Chili flakes", "kg"),
    ("Coconut oil", "l"),
    ("Sunflower lecithin", "kg"),
    ("Natural flavouring", "kg"),
    ("Carrots, diced", "kg"),
    ("Potato flakes", "kg"),
    ("Basil", "kg"),
    ("Pine nuts", "kg"),
    ("Yogurt cultures", "kg"),
    ("Sesame seeds", "kg"),
    ("Raisins", "kg"),
    ("Dates, pitted", "kg"),
    ("Vanilla extract", "l"),
    ("Red lentils", "kg"),
    ("Coriander", "kg"),
    ("Turmeric", "kg"),
];

/// Packaging materials (always counted in `ea`).
pub const PACKAGING: &[&str] = &[
    "Tub 250 g",
    "Lid 95 mm",
    "Glass jar 370 ml",
    "Metal cap 63 mm",
    "Carton 1 l",
    "Flow-wrap film",
    "Label",
    "Bottle 500 ml",
    "Screw cap 28 mm",
    "Foil seal",
    "Pouch 200 g",
    "Folding box",
    "Sachet 40 g",
    "Shrink sleeve",
];

/// Secondary packaging used by distribution centres to make multipacks.
pub const SHRINK: &[&str] = &[
    "Shrink film multipack",
    "Corrugated display tray",
    "Banding",
];

/// Sales regions.
pub const REGIONS: &[&str] = &[
    "Northeast",
    "Southeast",
    "Midwest",
    "South Central",
    "Mountain",
    "Pacific",
    "Great Lakes",
    "Mid-Atlantic",
    "Gulf Coast",
    "Plains",
    "Northwest",
    "New England",
    "Southwest",
    "Appalachia",
    "Upper Midwest",
    "Central Valley",
];

/// Town names for plants and sites.
pub const TOWNS: &[&str] = &[
    "Penn Yan",
    "Greeley",
    "Modesto",
    "Harrisburg",
    "Fargo",
    "Macon",
    "Yakima",
    "Joplin",
    "Salinas",
    "Burlington",
    "Dubuque",
    "Lubbock",
    "Eau Claire",
    "Bakersfield",
    "Wichita",
    "Lancaster",
    "Boise",
    "Tulare",
    "Dothan",
    "Ames",
];

/// Supplier name parts.
pub const SUPPLIER_FIRST: &[&str] = &[
    "Northfield",
    "Golden",
    "Valley",
    "Prairie",
    "Coastal",
    "Alpine",
    "Sunrise",
    "Harvest",
    "Meridian",
    "Evergreen",
    "Blue River",
    "Highland",
    "Pacific",
    "Atlas",
    "Orchard",
];
pub const SUPPLIER_SECOND: &[&str] = &[
    "Ingredients",
    "Foods",
    "Mills",
    "Growers",
    "Packaging",
    "Trading",
    "Farms",
    "Oils",
    "Nutrition",
    "Spice Co.",
];
pub const SUPPLIER_COUNTRIES: &[(&str, &str)] = &[
    ("US", "Inc."),
    ("CA", "Ltd."),
    ("MX", "S.A. de C.V."),
    ("DE", "GmbH"),
    ("IT", "S.r.l."),
    ("ES", "S.L."),
    ("TR", "A.S."),
    ("IN", "Pvt. Ltd."),
    ("NL", "B.V."),
    ("FR", "SAS"),
];

/// Customer name parts.
pub const CUSTOMER_FIRST: &[&str] = &[
    "Fresh",
    "Corner",
    "Green",
    "Family",
    "Harbor",
    "Main Street",
    "Market",
    "Sunny",
    "Union",
    "Liberty",
    "Cedar",
    "Maple",
];
pub const CUSTOMER_SECOND: &[&str] = &[
    "Grocers",
    "Markets",
    "Foods",
    "Food Co-op",
    "Wholesale",
    "Pantry",
    "Provisions",
    "Supermarkets",
];

/// Reasons of background returns and complaints, by category.
pub const BACKGROUND_REASONS: &[(&str, &str)] = &[
    ("damage", "case crushed in transit"),
    ("damage", "packs punctured, received damaged"),
    ("damage", "pallet dropped at receiving"),
    ("other", "over-shipment, surplus returned"),
    ("other", "ordered wrong variant"),
    ("other", "short-dated on arrival"),
    ("quality", "customer did not like the taste"),
    ("quality", "texture not as expected"),
    ("defect", "label misprinted"),
    ("defect", "lid not fully closed"),
];

/// Reasons of returns caused by a planted fault, by category.
pub const FAULT_REASONS: &[(&str, &str)] = &[
    ("quality", "off odour when opened"),
    ("quality", "bitter off-taste"),
    ("quality", "product discoloured"),
    ("safety", "foreign material found"),
    ("safety", "consumer reports illness after eating"),
    ("defect", "seal leaking, product spoiled"),
    ("defect", "swollen pack"),
];

/// Defects of failed inspections.
pub const DEFECTS: &[&str] = &[
    "moisture above specification",
    "foreign material in sample",
    "certificate of analysis missing",
    "temperature abuse on arrival",
    "micro count above limit",
    "damaged packaging",
    "colour out of specification",
];

/// `list[i]`, with ` 2`, ` 3`, ... appended once the list is exhausted.
pub fn cycled(list: &[&str], i: usize) -> String {
    let round = i / list.len();
    if round == 0 {
        list[i].to_string()
    } else {
        format!("{} {}", list[i % list.len()], round + 1)
    }
}
